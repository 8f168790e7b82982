package nl.kansrijkestart.gateway.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;

import ca.uhn.fhir.context.FhirContext;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.hl7.fhir.r4.model.Bundle;

/**
 * A JGZ endpoint's misbehaviour, the same for every document whatever else arrives
 * meanwhile: a document's first pushes get, in turn, a 500, a reset connection, an answer
 * too slow for the gateway's timeout and a 503; its fifth and later pushes are taken.
 * Stubs opt in with {@code withTransformers(FaultsPerDocument.NAME)}.
 */
public final class FaultsPerDocument implements ResponseDefinitionTransformerV2 {

	public static final String NAME = "faults-per-document";

	/** The answers to a document's first pushes, in order. */
	public static final List<ResponseDefinitionBuilder> FAULTS = List.of(aResponse().withStatus(500),
			aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), aResponse().withFault(Fault.EMPTY_RESPONSE),
			aResponse().withStatus(503));

	private static final FhirContext CTX = FhirContext.forR4Cached();

	private final Map<String, Integer> pushes = new ConcurrentHashMap<>();

	/** Forgets every document seen so far. */
	public void reset() {
		pushes.clear();
	}

	@Override
	public ResponseDefinition transform(ServeEvent serveEvent) {
		String identifier = CTX.newJsonParser()
			.parseResource(Bundle.class, serveEvent.getRequest().getBodyAsString())
			.getIdentifier()
			.getValue();
		int push = pushes.merge(identifier, 1, Integer::sum);
		return push <= FAULTS.size() ? FAULTS.get(push - 1).build() : serveEvent.getResponseDefinition();
	}

	@Override
	public String getName() {
		return NAME;
	}

	@Override
	public boolean applyGlobally() {
		return false;
	}

}
