package nl.kansrijkestart.gateway.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.server.ETagSupportEnum;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.RestfulServer;
import java.util.List;
import org.springframework.stereotype.Component;

/** The HAPI plain server: thin providers over the store and ingest, interceptors for validation and responses. */
@Component
class GatewayRestfulServer extends RestfulServer {

	private final transient List<IResourceProvider> resourceProviders;
	private final transient TransactionProvider transactionProvider;
	private final transient List<Object> interceptors;

	GatewayRestfulServer(FhirContext fhirContext, List<IResourceProvider> resourceProviders, TransactionProvider transactionProvider,
			WriteRequestInterceptor writes, ResponseInterceptor responses, CapabilityStatementCustomizer capabilities) {
		super(fhirContext);
		this.resourceProviders = resourceProviders;
		this.transactionProvider = transactionProvider;
		this.interceptors = List.of(writes, responses, capabilities);
	}

	@Override
	protected void initialize() {
		setDefaultResponseEncoding(EncodingEnum.JSON);
		setETagSupport(ETagSupportEnum.ENABLED);
		setResourceProviders(List.copyOf(resourceProviders));
		registerProvider(transactionProvider);
		interceptors.forEach(this::registerInterceptor);
	}
}
