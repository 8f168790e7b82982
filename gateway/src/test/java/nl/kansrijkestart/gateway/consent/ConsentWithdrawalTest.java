package nl.kansrijkestart.gateway.consent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import nl.kansrijkestart.gateway.support.ExternalSystems;
import nl.kansrijkestart.gateway.support.Consents;
import nl.kansrijkestart.gateway.support.DatabaseState;
import nl.kansrijkestart.gateway.support.Family;
import nl.kansrijkestart.gateway.support.FhirHttp;
import nl.kansrijkestart.gateway.support.GatewayTest;
import nl.kansrijkestart.tools.PregnancyGenerator;
import org.hl7.fhir.r4.model.Consent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.integration.channel.PublishSubscribeChannel;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.messaging.MessageHandler;

/**
 * A consent change is announced on the consent-decisions channel once its Consent is
 * committed, for the mother and for her children (whose data follows her decision), with
 * the decision as it is now: a withdrawal reaches every subscriber as a decision that
 * does not permit. Handover and monitoring subscribe to this channel.
 */
@GatewayTest
class ConsentWithdrawalTest extends ExternalSystems {

	@LocalServerPort
	int port;

	@Autowired
	@Qualifier(ConsentChangeFlow.DECISIONS_CHANNEL)
	PublishSubscribeChannel decisions;

	@Autowired
	JdbcTemplate jdbc;

	FhirHttp http;

	final List<ConsentChanged> heard = new CopyOnWriteArrayList<>();

	final MessageHandler listener = message -> heard.add((ConsentChanged) message.getPayload());

	@BeforeEach
	void subscribe() {
		http = new FhirHttp(port);
		decisions.subscribe(listener);
	}

	@AfterEach
	void unsubscribe() {
		decisions.unsubscribe(listener);
	}

	@Test
	void aDenyAfterIngestIsAnnouncedAsAWithdrawalForMotherAndChild() {
		Family family = Family.submit(http, new PregnancyGenerator(45_001).next(), (mother, child) -> List.of(Consents
			.simple("both", mother, "2024-03-01T10:00:00+01:00", true, Purpose.HANDOVER, Purpose.MONITORING)));
		awaitDecision(family.motherId(), Purpose.HANDOVER, ConsentDecision.Outcome.PERMIT);
		awaitDecision(family.childId(), Purpose.MONITORING, ConsentDecision.Outcome.PERMIT);
		heard.clear();

		Consent withdrawal = Consents.simple("withdrawal",
				new org.hl7.fhir.r4.model.Reference("Patient/" + family.motherId()), "2024-09-01T10:00:00+02:00", false,
				Purpose.MONITORING);
		FhirHttp.Response r = http.submit("/fhir/Consent", FhirHttp.json(withdrawal));
		assertThat(r.status()).as(r.body()).isEqualTo(201);

		ConsentChanged mother = awaitDecision(family.motherId(), Purpose.MONITORING, ConsentDecision.Outcome.DENY);
		assertThat(mother.decision().ground()).isEqualTo(ConsentDecision.Ground.LATEST_DENY);
		assertThat(mother.decision().permitted()).isFalse();
		ConsentChanged child = awaitDecision(family.childId(), Purpose.MONITORING, ConsentDecision.Outcome.DENY);
		assertThat(child.decision().reason()).contains("mother's decides");
		// Only the purpose withdrawn is announced: handover stays as it was.
		assertThat(heard).noneMatch(c -> c.purpose() == Purpose.HANDOVER);
	}

	@Test
	void aPermitSetInactiveIsAWithdrawal() {
		Family family = Family.submit(http, new PregnancyGenerator(45_002).next(), (mother, child) -> List
			.of(Consents.simple("p", mother, "2024-03-01T10:00:00+01:00", true, Purpose.HANDOVER)));
		awaitDecision(family.motherId(), Purpose.HANDOVER, ConsentDecision.Outcome.PERMIT);

		Consent stored = http.get("/fhir/" + family.consent("p")).as(Consent.class);
		stored.setStatus(Consent.ConsentState.INACTIVE);
		FhirHttp.Response r = http.put("/fhir/" + family.consent("p"), FhirHttp.json(stored), FhirHttp.JSON);
		assertThat(r.status()).as(r.body()).isEqualTo(200);

		ConsentChanged changed = awaitDecision(family.motherId(), Purpose.HANDOVER, ConsentDecision.Outcome.DENY);
		assertThat(changed.decision().ground()).isEqualTo(ConsentDecision.Ground.NO_PERMIT);
	}

	@Test
	void aRejectedConsentQueuesNothing() {
		Family family = Family.submit(http, new PregnancyGenerator(45_003).next(), (mother, child) -> List.of());
		await().atMost(Duration.ofSeconds(20))
			.until(() -> jdbc.queryForObject("select count(*) from int_channel_message", Long.class) == 0);
		DatabaseState before = DatabaseState.of(jdbc);
		Consent marketing = Consents.simple("m", new org.hl7.fhir.r4.model.Reference("Patient/" + family.motherId()),
				"2024-03-01T10:00:00+01:00", true, Purpose.HANDOVER);
		marketing.getProvision().getPurposeFirstRep().setCode("HMARKT");
		FhirHttp.Response r = http.submit("/fhir/Consent", FhirHttp.json(marketing));
		assertThat(r.status()).as(r.body()).isEqualTo(422);
		assertThat(DatabaseState.of(jdbc)).isEqualTo(before);
		assertThat(jdbc.queryForObject("select count(*) from int_channel_message", Long.class)).isZero();
	}

	private ConsentChanged awaitDecision(String patientId, Purpose purpose, ConsentDecision.Outcome outcome) {
		return await().atMost(Duration.ofSeconds(20))
			.until(() -> heard.stream()
				.filter(c -> c.patient().equals("Patient/" + patientId) && c.purpose() == purpose
						&& c.decision().outcome() == outcome)
				.findFirst()
				.orElse(null), java.util.Objects::nonNull);
	}

}
