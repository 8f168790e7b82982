package nl.kansrijkestart.gateway.inbound;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.StrictErrorHandler;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.server.RestfulServer;
import java.util.List;

/**
 * The STU3 door at {@code /fhir/stu3}: a second HAPI plain server on the STU3 model, with
 * a strict parser (an element STU3 does not have is a 400 naming it). It takes a
 * transaction, batch, collection or document Bundle, or single resources, translates them
 * and writes them through the R4 ingest; it answers in STU3.
 */
class Stu3Server extends RestfulServer {

	private final transient Stu3Provider provider;

	Stu3Server(Stu3Provider provider) {
		super(stu3Context());
		this.provider = provider;
		setServerName("Kansrijke Start gateway (STU3 birth-care intake)");
		// our version, as /fhir says it; not HAPI's
		setServerVersion(Stu3Server.class.getPackage().getImplementationVersion());
	}

	private static FhirContext stu3Context() {
		FhirContext context = FhirContext.forDstu3();
		context.setParserErrorHandler(new StrictErrorHandler());
		return context;
	}

	@Override
	protected void initialize() {
		setDefaultResponseEncoding(EncodingEnum.JSON);
		registerProvider(provider);
		setResourceProviders(List.copyOf(provider.createProviders()));
		registerInterceptor(new Stu3Guard());
	}

	@Override
	public void addHeadersToResponse(jakarta.servlet.http.HttpServletResponse response) {
		// no X-Powered-By banner, as on /fhir
	}

}
