package nl.kansrijkestart.gateway.consent;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import nl.kansrijkestart.gateway.support.DatabaseState;
import nl.kansrijkestart.gateway.support.ExternalSystems;
import nl.kansrijkestart.gateway.support.Consents;
import nl.kansrijkestart.gateway.support.Family;
import nl.kansrijkestart.gateway.support.FhirHttp;
import nl.kansrijkestart.gateway.support.GatewayTest;
import nl.kansrijkestart.tools.PregnancyGenerator;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * When the registry cannot be consulted the decision is unknown, never permit, even with
 * a recorded permit: the registry might hold a later withdrawal. Each fault is retried
 * within the lookup (3 attempts here), and a later decision asks again and succeeds once
 * the registry is back.
 */
@GatewayTest
class ConsentRegistryFaultTest extends ExternalSystems {

	@LocalServerPort
	int port;

	@Autowired
	ConsentService consent;

	@Autowired
	ConsentRegistry registry;

	@Autowired
	JdbcTemplate jdbc;

	FhirHttp http;

	long seed = 43_000;

	@BeforeEach
	void setUp() {
		http = new FhirHttp(port);
	}

	/**
	 * A mother with a recorded handover permit, submitted while the registry answers
	 * normally.
	 */
	private Family permittedMother() {
		var pregnancy = new PregnancyGenerator(seed++).next();
		Family family = Family.submit(http, pregnancy, (mother, child) -> List
			.of(Consents.simple("p", mother, "2024-03-01T10:00:00+01:00", true, Purpose.HANDOVER)));
		// The consent-change flow looks her up once the consent is stored: let it finish,
		// then start from a clean slate.
		DatabaseState.awaitBackgroundWork(jdbc);
		registry.forget(family.motherBsn());
		REGISTRY.resetRequests();
		return family;
	}

	static final Map<String, ResponseDefinitionBuilder> FAULTS = Map.of("HTTP 500",
			aResponse().withStatus(500).withBody("internal error"), "HTTP 503", aResponse().withStatus(503), "timeout",
			okJson("{\"resourceType\":\"Bundle\",\"type\":\"searchset\"}").withFixedDelay(1500), "connection reset",
			aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), "empty response",
			aResponse().withFault(Fault.EMPTY_RESPONSE), "garbage body",
			aResponse().withStatus(200)
				.withHeader("Content-Type", "application/fhir+json")
				.withBody("{\"resourceType\": \"Bun"),
			"not a Bundle",
			aResponse().withStatus(200)
				.withHeader("Content-Type", "application/fhir+json")
				.withBody(
						"{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\"exception\"}]}"),
			"HTML error page",
			aResponse().withStatus(200).withHeader("Content-Type", "text/html").withBody("<html>proxy error</html>"));

	@TestFactory
	Stream<DynamicTest> everyFaultGivesUnknownAfterRetries() {
		return FAULTS.entrySet()
			.stream()
			.sorted(Map.Entry.comparingByKey())
			.map(fault -> DynamicTest.dynamicTest(fault.getKey(), () -> {
				Family family = permittedMother();
				REGISTRY.stubFor(searchFor(family.motherBsn()).atPriority(1).willReturn(fault.getValue()));
				Parameters p = decision(family);
				assertThat(p.getParameter("outcome").getValue().primitiveValue()).isEqualTo("unknown");
				assertThat(p.getParameter("ground").getValue().primitiveValue()).isEqualTo("source-unavailable");
				assertThat(p.getParameter("reason").getValue().primitiveValue()).contains("could not be consulted");
				assertThat(p.getParameter().stream().filter(x -> x.getName().equals("basis"))).isEmpty();
				assertThat(lookups(family.motherBsn())).as("attempts").isEqualTo(3);
			}));
	}

	@Test
	void consentsOfAnotherPersonInTheAnswerAreGarbage() {
		Family family = permittedMother();
		Consent someoneElse = Consents.simple("x",
				new Reference().setIdentifier(new Identifier().setSystem(BSN_SYSTEM).setValue("111222333")),
				"2024-01-01T00:00:00Z", true, Purpose.HANDOVER);
		registryHolds(family.motherBsn(), someoneElse);
		assertThat(decision(family).getParameter("outcome").getValue().primitiveValue()).isEqualTo("unknown");
	}

	@Test
	void aFailureWithinTheLookupIsRetriedThere() {
		Family family = permittedMother();
		REGISTRY.stubFor(searchFor(family.motherBsn()).atPriority(1)
			.inScenario("flaky")
			.whenScenarioStateIs(STARTED)
			.willReturn(aResponse().withStatus(502))
			.willSetStateTo("recovered"));
		REGISTRY.stubFor(searchFor(family.motherBsn()).atPriority(1)
			.inScenario("flaky")
			.whenScenarioStateIs("recovered")
			.willReturn(searchset()));
		assertThat(decision(family).getParameter("outcome").getValue().primitiveValue()).isEqualTo("permit");
		assertThat(lookups(family.motherBsn())).isEqualTo(2);
	}

	@Test
	void anUnknownDecisionIsAskedAgainLaterAndThenSucceeds() {
		Family family = permittedMother();
		REGISTRY.stubFor(searchFor(family.motherBsn()).atPriority(1)
			.willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
		ConsentDecision first = consent.decide(family.motherId(), Purpose.HANDOVER, null, Instant.now()).orElseThrow();
		assertThat(first.outcome()).isEqualTo(ConsentDecision.Outcome.UNKNOWN);
		assertThat(first.permitted()).isFalse();

		// The registry is back, and holds nothing that changes the recorded permit.
		registryHolds(family.motherBsn());
		ConsentDecision later = consent.decide(family.motherId(), Purpose.HANDOVER, null, Instant.now()).orElseThrow();
		assertThat(later.outcome()).isEqualTo(ConsentDecision.Outcome.PERMIT);
		assertThat(lookups(family.motherBsn())).isEqualTo(4);

		// Its answer is cached briefly: the next decision does not ask again.
		consent.decide(family.motherId(), Purpose.HANDOVER, null, Instant.now());
		assertThat(lookups(family.motherBsn())).isEqualTo(4);
	}

	private Parameters decision(Family family) {
		FhirHttp.Response r = http.get("/fhir/Patient/" + family.motherId() + "/$consent-decision?purpose=TREAT");
		assertThat(r.status()).as(r.body()).isEqualTo(200);
		return r.as(Parameters.class);
	}

}
