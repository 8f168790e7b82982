package nl.kansrijkestart.gateway.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.server.ETagSupportEnum;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.RestfulServer;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * The HAPI plain server: thin providers over the store and ingest, interceptors for
 * validation and responses.
 */
@Component
class GatewayRestfulServer extends RestfulServer {

	private final transient List<IResourceProvider> resourceProviders;

	private final transient List<Object> plainProviders;

	private final transient List<Object> interceptors;

	GatewayRestfulServer(FhirContext fhirContext, List<IResourceProvider> resourceProviders,
			TransactionProvider transactionProvider, RetentionOperationProvider retention,
			ConsentDecisionProvider consentDecision, RoutingOperationProvider routing, AccessInterceptor access,
			AuditInterceptor audit, WriteRequestInterceptor writes, ResponseInterceptor responses,
			CapabilityStatementCustomizer capabilities, PublicBaseUrl baseUrl) {
		super(fhirContext);
		setServerAddressStrategy(baseUrl);
		this.resourceProviders = resourceProviders;
		this.plainProviders = List.of(transactionProvider, retention, consentDecision, routing);
		this.interceptors = List.of(access, audit, writes, responses, capabilities);
		setServerName("Kansrijke Start gateway");
		setServerVersion(GatewayRestfulServer.class.getPackage().getImplementationVersion());
	}

	@Override
	protected void initialize() {
		setDefaultResponseEncoding(EncodingEnum.JSON);
		setETagSupport(ETagSupportEnum.ENABLED);
		setResourceProviders(List.copyOf(resourceProviders));
		plainProviders.forEach(this::registerProvider);
		interceptors.forEach(this::registerInterceptor);
	}

	/** No X-Powered-By banner: what software and version we run is nobody's business. */
	@Override
	public void addHeadersToResponse(jakarta.servlet.http.HttpServletResponse response) {
		// deliberately empty
	}

}
