package nl.kansrijkestart.gateway.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.IServerAddressStrategy;
import ca.uhn.fhir.util.FhirTerser;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.springframework.boot.web.servlet.context.ServletWebServerInitializedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The FHIR base URL the gateway puts in fullUrl, links and Location headers: the
 * configured public one, or http://localhost:{port}/fhir. Never derived from the request:
 * a client's Host header must not be echoed into the URLs other clients follow.
 */
@Component
class PublicBaseUrl implements IServerAddressStrategy {

	private final String configured;

	private final FhirTerser terser;

	private volatile String local = "http://localhost:8080/fhir";

	PublicBaseUrl(FhirProperties properties, FhirContext fhirContext) {
		this.configured = properties.publicBaseUrl();
		this.terser = fhirContext.newTerser();
	}

	@EventListener
	void onStarted(ServletWebServerInitializedEvent event) {
		local = "http://localhost:" + event.getWebServer().getPort() + "/fhir";
	}

	String get() {
		return configured != null ? configured : local;
	}

	/** {@code Type/id} made absolute; null for null. */
	String absolute(String relative) {
		return relative == null ? null : get() + "/" + relative;
	}

	/**
	 * The relative {@code Type/id...} of an absolute URL on this server, or null when it
	 * points elsewhere.
	 */
	String relativeIfOurs(String url) {
		String base = get() + "/";
		return url != null && url.startsWith(base) ? url.substring(base.length()) : null;
	}

	/**
	 * References to this server by absolute URL become relative, so they are checked like
	 * any other (partition included).
	 */
	void relativiseReferences(Resource resource) {
		for (Reference ref : terser.getAllPopulatedChildElementsOfType(resource, Reference.class)) {
			String relative = relativeIfOurs(ref.getReference());
			if (relative != null) {
				ref.setReference(relative);
			}
		}
	}

	@Override
	public String determineServerBase(ServletContext servletContext, HttpServletRequest request) {
		return get();
	}

}
