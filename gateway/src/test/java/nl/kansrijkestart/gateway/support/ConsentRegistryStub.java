package nl.kansrijkestart.gateway.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import java.util.Arrays;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Consent;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of tests with a national consent registry: WireMock plays it, answering FHIR Consent searches by BSN. By
 * default it knows no consents; tests give it some, or make it fail. Timeouts are short here so that faults are quick
 * to show. All subclasses share one application context.
 */
public abstract class ConsentRegistryStub {

	public static final String BSN_SYSTEM = "http://fhir.nl/fhir/NamingSystem/bsn";
	protected static final WireMockServer REGISTRY = new WireMockServer(options().dynamicPort());

	static {
		REGISTRY.start();
	}

	@DynamicPropertySource
	static void registry(DynamicPropertyRegistry registry) {
		registry.add("gateway.consent.registry.base-url", () -> REGISTRY.baseUrl() + "/fhir");
		registry.add("gateway.consent.registry.timeout", () -> "400ms");
		registry.add("gateway.consent.registry.backoff", () -> "20ms");
		registry.add("gateway.consent.registry.attempts", () -> "3");
		registry.add("gateway.consent.changes.poll-interval", () -> "100ms");
	}

	@BeforeEach
	void resetRegistry() {
		REGISTRY.resetAll();
		REGISTRY.stubFor(get(urlPathEqualTo("/fhir/Consent")).atPriority(10).willReturn(searchset()));
	}

	/** The request the gateway makes for a person's consents. */
	protected static MappingBuilder searchFor(String bsn) {
		return get(urlPathEqualTo("/fhir/Consent")).withQueryParam("patient:identifier", equalTo(BSN_SYSTEM + "|" + bsn));
	}

	/** The registry holds these consents for this person. */
	protected static void registryHolds(String bsn, Consent... consents) {
		REGISTRY.stubFor(searchFor(bsn).atPriority(1).willReturn(searchset(consents)));
	}

	/** How often the gateway asked the registry about this person. */
	protected static int lookups(String bsn) {
		return REGISTRY.findAll(getRequestedFor(urlPathEqualTo("/fhir/Consent"))
				.withQueryParam("patient:identifier", equalTo(BSN_SYSTEM + "|" + bsn))).size();
	}

	/** The registry's full URL of one of its consents, as decisions name it. */
	protected static String registryUrl(String id) {
		return REGISTRY.baseUrl() + "/fhir/Consent/" + id;
	}

	protected static ResponseDefinitionBuilder searchset(Consent... consents) {
		Bundle bundle = new Bundle().setType(Bundle.BundleType.SEARCHSET).setTotal(consents.length);
		Arrays.stream(consents).forEach(c -> bundle.addEntry().setFullUrl(registryUrl(c.getIdElement().getIdPart())).setResource(c)
				.getSearch().setMode(Bundle.SearchEntryMode.MATCH));
		return aResponse().withStatus(200).withHeader("Content-Type", "application/fhir+json").withBody(FhirHttp.json(bundle));
	}
}
