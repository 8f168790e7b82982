package nl.kansrijkestart.gateway.consent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import nl.kansrijkestart.gateway.support.CleanDatabaseConfiguration.OwnerJdbc;
import nl.kansrijkestart.gateway.support.ExternalSystems;
import nl.kansrijkestart.gateway.support.Consents;
import nl.kansrijkestart.gateway.support.Family;
import nl.kansrijkestart.gateway.support.FhirHttp;
import nl.kansrijkestart.gateway.support.GatewayTest;
import nl.kansrijkestart.tools.PregnancyGenerator;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@code $consent-decision} as clients use it: its Parameters, its refusals, the
 * partition it respects, its audit record; and the decision log that gating decisions
 * leave.
 */
@GatewayTest
class ConsentDecisionOperationTest extends ExternalSystems {

	@LocalServerPort
	int port;

	@Autowired
	ConsentService consent;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	OwnerJdbc owner;

	FhirHttp http;

	@BeforeEach
	void setUp() {
		http = new FhirHttp(port);
	}

	private Family motherWithPermit(long seed) {
		return Family.submit(http, new PregnancyGenerator(seed).next(),
				(mother, child) -> List.of(Consents.consent("p", mother, "active", "2024-03-01T10:00:00+01:00", true,
						List.of(Purpose.HANDOVER), List.of("http://fhir.nl/fhir/NamingSystem/ura|90000363"), null,
						null)));
	}

	@Test
	void answersWithTheDocumentedParameters() {
		Family family = motherWithPermit(47_001);
		Parameters p = http
			.get("/fhir/Patient/" + family.motherId()
					+ "/$consent-decision?purpose=TREAT&actor=http://fhir.nl/fhir/NamingSystem/ura|90000363")
			.as(Parameters.class);
		assertThat(p.getParameter().stream().map(Parameters.ParametersParameterComponent::getName))
			.containsExactly("outcome", "ground", "reason", "purpose", "actor", "at", "policy", "basis");
		// The code system's own display, not our explanation of the purpose.
		assertThat(((org.hl7.fhir.r4.model.Coding) p.getParameter("purpose").getValue()).getDisplay())
			.isEqualTo("treatment");
		assertThat(p.getParameter("outcome").getValue().primitiveValue()).isEqualTo("permit");
		assertThat(((Identifier) p.getParameter("actor").getValue()).getValue()).isEqualTo("90000363");
		assertThat(((Reference) p.getParameter("basis").getValue()).getReference()).isEqualTo(family.consent("p"));
		assertThat(p.getParameter("at").getValue().primitiveValue()).isNotBlank();

		Parameters monitoring = http.get("/fhir/Patient/" + family.motherId() + "/$consent-decision?purpose=PUBHLTH")
			.as(Parameters.class);
		assertThat(monitoring.getParameter("outcome").getValue().primitiveValue()).isEqualTo("deny");
		assertThat(monitoring.getParameter("ground").getValue().primitiveValue()).isEqualTo("no-permit");
		assertThat(monitoring.getParameter("policy").getValue().primitiveValue()).isEqualTo("opt-in");
	}

	@Test
	void badQuestionsAre400AndUnknownOrForeignPatients404() {
		Family family = motherWithPermit(47_002);
		String base = "/fhir/Patient/" + family.motherId() + "/$consent-decision";
		for (String query : List.of("", "?purpose=HMARKT", "?purpose=TREAT&actor=90000363",
				"?purpose=TREAT&actor=http://example.org|x", "?purpose=TREAT&at=yesterday")) {
			FhirHttp.Response r = http.get(base + query);
			assertThat(r.status()).as(query + " " + r.body()).isEqualTo(400);
			assertThat(r.outcome().getIssueFirstRep().getSeverity()).isEqualTo(OperationOutcome.IssueSeverity.ERROR);
		}
		FhirHttp.Response missing = http.get("/fhir/Patient/no-such-patient/$consent-decision?purpose=TREAT");
		FhirHttp.Response foreign = http.as("vsv-b").get(base + "?purpose=TREAT");
		assertThat(missing.status()).isEqualTo(404);
		assertThat(foreign.status()).isEqualTo(404);
		assertThat(foreign.body().replace(family.motherId(), "X"))
			.isEqualTo(missing.body().replace("no-such-patient", "X"));
		assertThat(http.as("jgz-a").get(base + "?purpose=TREAT").status()).isEqualTo(403);
		assertThat(http.as("monitoring").get(base + "?purpose=TREAT").status()).isEqualTo(403);
		// Support staff may ask about anyone.
		assertThat(http.as("admin").get(base + "?purpose=TREAT").status()).isEqualTo(200);
	}

	@Test
	void anotherOrganisationsConsentNeitherCountsNorShows() {
		var pregnancy = new PregnancyGenerator(47_003).next();
		Family family = Family.submit(http, pregnancy, (mother, child) -> List.of());
		Parameters before = http.get("/fhir/Patient/" + family.motherId() + "/$consent-decision?purpose=TREAT")
			.as(Parameters.class);
		// Another VSV records a permit for the same woman (same BSN) in its own records.
		Family other = Family.submit(http.as("vsv-b"), pregnancy, (mother, child) -> List
			.of(Consents.simple("p", mother, "2024-03-01T10:00:00+01:00", true, Purpose.HANDOVER)));
		assertThat(other.motherId()).isNotEqualTo(family.motherId());

		// The answer about A's record is exactly what it was: nothing tells A that B
		// knows her.
		Parameters after = http.get("/fhir/Patient/" + family.motherId() + "/$consent-decision?purpose=TREAT")
			.as(Parameters.class);
		for (String name : List.of("outcome", "ground", "reason")) {
			assertThat(after.getParameter(name).getValue().primitiveValue()).as(name)
				.isEqualTo(before.getParameter(name).getValue().primitiveValue());
		}
		assertThat(after.getParameter("outcome").getValue().primitiveValue()).isEqualTo("deny");
		assertThat(after.getParameters("basis")).isEmpty();
		// B's own record is released by B's permit.
		Parameters own = http.as("vsv-b")
			.get("/fhir/Patient/" + other.motherId() + "/$consent-decision?purpose=TREAT")
			.as(Parameters.class);
		assertThat(own.getParameter("outcome").getValue().primitiveValue()).isEqualTo("permit");
		assertThat(((Reference) own.getParameter("basis").getValue()).getReference()).isEqualTo(other.consent("p"));
	}

	@Test
	void aLaterPermitAtOneOrganisationDoesNotReleaseWhatAnotherHoldsAfterADenyThere() {
		var pregnancy = new PregnancyGenerator(47_013).next();
		Family deniedAtA = Family.submit(http, pregnancy, (mother, child) -> List
			.of(Consents.simple("d", mother, "2024-03-01T10:00:00+01:00", false, Purpose.HANDOVER)));
		Family permittedAtB = Family.submit(http.as("vsv-b"), pregnancy, (mother, child) -> List
			.of(Consents.simple("p", mother, "2024-04-01T10:00:00+01:00", true, Purpose.HANDOVER)));
		Parameters atA = http.get("/fhir/Patient/" + deniedAtA.motherId() + "/$consent-decision?purpose=TREAT")
			.as(Parameters.class);
		assertThat(atA.getParameter("outcome").getValue().primitiveValue()).isEqualTo("deny");
		assertThat(atA.getParameter("ground").getValue().primitiveValue()).isEqualTo("latest-deny");
		Parameters atB = http.as("vsv-b")
			.get("/fhir/Patient/" + permittedAtB.motherId() + "/$consent-decision?purpose=TREAT")
			.as(Parameters.class);
		assertThat(atB.getParameter("outcome").getValue().primitiveValue()).isEqualTo("permit");
	}

	@Test
	void theQuestionIsAudited() {
		Family family = motherWithPermit(47_004);
		http.get("/fhir/Patient/" + family.motherId() + "/$consent-decision?purpose=TREAT");
		Bundle found = http.as("admin").get("/fhir/AuditEvent?agent=vsv-a&_count=1").as(Bundle.class);
		AuditEvent event = (AuditEvent) found.getEntryFirstRep().getResource();
		assertThat(event.getAction()).isEqualTo(AuditEvent.AuditEventAction.E);
		assertThat(event.getEntity()).extracting(e -> e.getWhat().getReference())
			.contains("Patient/" + family.motherId());
		assertThat(event.getEntity()).anySatisfy(e -> assertThat(e.getRole().getCode()).isEqualTo("1"));
	}

	@Test
	void gatingDecisionsAreLoggedWithoutTheBsnAndCannotBeChanged() {
		Family family = motherWithPermit(47_005);
		ConsentDecision sent = consent
			.gate(family.motherId(), Purpose.HANDOVER, "http://fhir.nl/fhir/NamingSystem/ura|90000363", Instant.now(),
					"Task/t-1")
			.orElseThrow();
		ConsentDecision notSent = consent
			.gate(family.motherId(), Purpose.HANDOVER, "http://fhir.nl/fhir/NamingSystem/ura|90000599", Instant.now(),
					"Task/t-2")
			.orElseThrow();
		assertThat(sent.permitted()).isTrue();
		assertThat(notSent.permitted()).isFalse();

		List<ConsentDecisionLog.Entry> log = consent.decisionLog(family.motherId());
		assertThat(log).hasSize(2);
		assertThat(log).extracting(ConsentDecisionLog.Entry::context).containsExactlyInAnyOrder("Task/t-1", "Task/t-2");
		assertThat(log).filteredOn(e -> e.context().equals("Task/t-1"))
			.singleElement()
			.satisfies(e -> assertThat(e.decision()).isEqualTo(sent));
		assertThat(log).filteredOn(e -> e.context().equals("Task/t-2"))
			.singleElement()
			.satisfies(e -> assertThat(e.decision().ground()).isEqualTo(ConsentDecision.Ground.NO_PERMIT));
		String stored = jdbc.queryForObject(
				"select string_agg(to_jsonb(c)::text, ' ') from consent_decision c where patient = ?", String.class,
				"Patient/" + family.motherId());
		assertThat(stored).doesNotContain(family.motherBsn()).contains("Task/t-1");
		// An auditor reads it through the API; a submitter may not, even for its own
		// client.
		FhirHttp.Response audit = http.as("admin").get("/fhir/Patient/" + family.motherId() + "/$consent-log");
		assertThat(audit.status()).as(audit.body()).isEqualTo(200);
		Parameters entries = audit.as(Parameters.class);
		assertThat(entries.getParameter()).hasSize(2).allSatisfy(p -> assertThat(p.getName()).isEqualTo("decision"));
		assertThat(entries.getParameter()).anySatisfy(p -> {
			assertThat(p.getPart()).anySatisfy(part -> assertThat(part.getName()).isEqualTo("context"));
			assertThat(p.getPart()
				.stream()
				.filter(part -> part.getName().equals("outcome"))
				.findFirst()
				.orElseThrow()
				.getValue()
				.primitiveValue()).isIn("permit", "deny");
		});
		assertThat(FhirHttp.json(entries)).doesNotContain(family.motherBsn());
		assertThat(http.get("/fhir/Patient/" + family.motherId() + "/$consent-log").status()).isEqualTo(403);
		// The gateway's role may not change it; its owner is stopped by the trigger.
		for (JdbcTemplate role : List.of(jdbc, owner.jdbc())) {
			String refusal = role == jdbc ? "permission denied" : "append-only";
			assertThatThrownBy(() -> role.update("update consent_decision set outcome = 'PERMIT'"))
				.hasStackTraceContaining(refusal);
			assertThatThrownBy(() -> role.update("delete from consent_decision")).hasStackTraceContaining(refusal);
			assertThatThrownBy(() -> role.execute("truncate consent_decision")).hasStackTraceContaining(refusal);
		}
		assertThat(consent.decisionLog(family.motherId())).hasSize(2);
	}

	@Test
	void theMonitoringPolicyIsInTheCapabilityStatement() {
		CapabilityStatement cs = http.as(null).get("/fhir/metadata").as(CapabilityStatement.class);
		Extension policy = cs
			.getExtensionByUrl("https://kansrijkestart.nl/fhir/StructureDefinition/ks-ext-consent-policy");
		assertThat(policy).isNotNull();
		assertThat(policy.getExtension()).anySatisfy(e -> {
			assertThat(e.getUrl()).isEqualTo("monitoring");
			assertThat(e.getValue().primitiveValue()).isEqualTo("opt-in");
		});
		assertThat(policy.getExtension()).anySatisfy(e -> {
			assertThat(e.getUrl()).isEqualTo("handover");
			assertThat(e.getValue().primitiveValue()).isEqualTo("opt-in");
		});
	}

}
