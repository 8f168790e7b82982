package nl.kansrijkestart.gateway.handover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import nl.kansrijkestart.gateway.consent.Purpose;
import nl.kansrijkestart.gateway.support.Consents;
import nl.kansrijkestart.gateway.support.DatabaseState;
import nl.kansrijkestart.gateway.support.ExternalSystems;
import nl.kansrijkestart.gateway.support.Family;
import nl.kansrijkestart.gateway.support.FhirHttp;
import nl.kansrijkestart.gateway.support.GatewayTest;
import nl.kansrijkestart.gateway.support.Pregnancies;
import nl.kansrijkestart.tools.PregnancyGenerator;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The handover as the JGZ organisations see it, through the FHIR API: a prenatal Task and
 * document once handover is permitted, a postnatal one after the birth, an amendment
 * after a correction, each only for the organisation of the mother's municipality;
 * nothing at all without a permit; a withdrawal cancels, a move reroutes, an unknown
 * municipality parks until the routing table knows it.
 */
@GatewayTest
class HandoverTest extends ExternalSystems {

	@LocalServerPort
	int port;

	@Autowired
	JdbcTemplate jdbc;

	FhirHttp http;

	FhirHttp jgzA;

	FhirHttp jgzB;

	@BeforeEach
	void setUp() {
		http = new FhirHttp(port);
		jgzA = http.as("jgz-a");
		jgzB = http.as("jgz-b");
	}

	private static List<Consent> permit(Reference mother) {
		return List.of(Consents.simple("permit", mother, "2024-01-10T10:00:00+01:00", true, Purpose.HANDOVER));
	}

	private List<Task> tasksOf(FhirHttp jgz, String owner) {
		FhirHttp.Response r = jgz.get("/fhir/Task?owner=" + owner + "&_count=500");
		assertThat(r.status()).as(r.body()).isEqualTo(200);
		return r.as(Bundle.class).getEntry().stream().map(e -> (Task) e.getResource()).toList();
	}

	private List<Task> tasksFor(FhirHttp jgz, String owner, String bsn) {
		return tasksOf(jgz, owner).stream().filter(t -> bsn.equals(t.getFor().getIdentifier().getValue())).toList();
	}

	private Task awaitTask(FhirHttp jgz, String owner, String bsn, Predicate<Task> which) {
		return await().atMost(Duration.ofSeconds(20))
			.until(() -> tasksFor(jgz, owner, bsn).stream().filter(which).findFirst().orElse(null),
					java.util.Objects::nonNull);
	}

	private static Predicate<Task> requested(String moment) {
		return t -> t.getStatus() == Task.TaskStatus.REQUESTED
				&& t.getReasonCode().getCodingFirstRep().getCode().equals(moment);
	}

	private void awaitQueuesDrained() {
		DatabaseState.awaitBackgroundWork(jdbc);
	}

	private Bundle document(FhirHttp jgz, Task task) {
		FhirHttp.Response r = jgz.get("/fhir/" + task.getFocus().getReference());
		assertThat(r.status()).as(r.body()).isEqualTo(200);
		return r.as(Bundle.class);
	}

	private static Composition composition(Bundle document) {
		return (Composition) document.getEntryFirstRep().getResource();
	}

	@Test
	void prenatalThenPostnatalThenAmendedForTheMunicipalitysJgz() {
		var pregnancy = new PregnancyGenerator(52_001).next();
		Bundle full = Pregnancies.livingIn(pregnancy.bundle(), PULL_MUNICIPALITY);
		String bsn = pregnancy.truth().motherBsn();
		Family.submit(http, Pregnancies.beforeBirth(full), (mother, child) -> permit(mother));

		Task prenatal = awaitTask(jgzA, JGZ_A, bsn, requested("prenatal"));
		assertThat(prenatal.getOwner().getIdentifier().getValue()).isEqualTo("90000363");
		assertThat(prenatal.getInput())
			.anySatisfy(i -> assertThat(i.getValue().primitiveValue()).startsWith("permit:"));
		Bundle prenatalDoc = document(jgzA, prenatal);
		assertThat(composition(prenatalDoc).getCategoryFirstRep().getCodingFirstRep().getCode()).isEqualTo("prenatal");
		assertThat(composition(prenatalDoc).getSection()).extracting(s -> s.getCode().getCodingFirstRep().getCode())
			.contains("R003", "R014")
			.doesNotContain("R015", "R016");

		// The other JGZ organisation sees none of it.
		assertThat(tasksOf(jgzB, JGZ_B)).noneMatch(t -> bsn.equals(t.getFor().getIdentifier().getValue()));
		assertThat(jgzB.get("/fhir/" + prenatal.getFocus().getReference()).status()).isEqualTo(404);
		assertThat(jgzB.get("/fhir/Task/" + prenatal.getIdPart()).status()).isEqualTo(404);

		// The birth: a postnatal handover for the child (the mother's consent covers it).
		Family family = Family.submit(http, full, (mother, child) -> List.of());
		Task postnatal = await().atMost(Duration.ofSeconds(20))
			.until(() -> tasksOf(jgzA, JGZ_A).stream()
				.filter(requested("postnatal"))
				.filter(t -> t.getFor().getReference().equals("Patient/" + family.childId()))
				.findFirst()
				.orElse(null), java.util.Objects::nonNull);
		Bundle postnatalDoc = document(jgzA, postnatal);
		assertThat(composition(postnatalDoc).getSection()).extracting(s -> s.getCode().getCodingFirstRep().getCode())
			.contains("R003", "R014", "R015", "R016");
		assertThat(composition(postnatalDoc).getStatus()).isEqualTo(Composition.CompositionStatus.FINAL);

		// A correction: the postnatal document is amended, replacing the first version;
		// the prenatal one is unchanged.
		Family.submit(http, Pregnancies.birthWeightCorrected(full, 2999), (mother, child) -> List.of());
		Task amended = await().atMost(Duration.ofSeconds(20))
			.until(() -> tasksOf(jgzA, JGZ_A).stream()
				.filter(requested("postnatal"))
				.filter(t -> t.getFor().getReference().equals("Patient/" + family.childId())
						&& !t.getIdPart().equals(postnatal.getIdPart()))
				.findFirst()
				.orElse(null), java.util.Objects::nonNull);
		Composition amendment = composition(document(jgzA, amended));
		assertThat(amendment.getStatus()).isEqualTo(Composition.CompositionStatus.AMENDED);
		assertThat(amendment.getRelatesToFirstRep().getTargetIdentifier().getValue())
			.isEqualTo(postnatalDoc.getIdentifier().getValue());
		assertThat(amendment.getIdentifier().getValue())
			.isEqualTo(composition(postnatalDoc).getIdentifier().getValue());
		Task superseded = jgzA.get("/fhir/Task/" + postnatal.getIdPart()).as(Task.class);
		assertThat(superseded.getStatus()).isEqualTo(Task.TaskStatus.CANCELLED);
		assertThat(superseded.getStatusReason().getText()).contains("superseded by version 2");
		awaitQueuesDrained();
		assertThat(tasksFor(jgzA, JGZ_A, bsn)).filteredOn(requested("prenatal")).hasSize(1);
	}

	@Test
	void jgzAcknowledgesItsOwnTasksOnly() {
		var pregnancy = new PregnancyGenerator(52_002).next();
		Family.submit(http, Pregnancies.beforeBirth(Pregnancies.livingIn(pregnancy.bundle(), PULL_MUNICIPALITY)),
				(mother, child) -> permit(mother));
		Task task = awaitTask(jgzA, JGZ_A, pregnancy.truth().motherBsn(), requested("prenatal"));

		Task rejected = task.copy();
		rejected.setStatus(Task.TaskStatus.REJECTED);
		FhirHttp.Response noReason = jgzA.put("/fhir/Task/" + task.getIdPart(), FhirHttp.json(rejected), FhirHttp.JSON);
		assertThat(noReason.status()).as(noReason.body()).isEqualTo(422);
		assertThat(jgzB
			.put("/fhir/Task/" + task.getIdPart(),
					FhirHttp.json(rejected.setStatusReason(new CodeableConcept().setText("x"))), FhirHttp.JSON)
			.status()).isEqualTo(404);
		FhirHttp.Response stale = jgzA.put("/fhir/Task/" + task.getIdPart(),
				FhirHttp.json(task.copy().setStatus(Task.TaskStatus.COMPLETED)), FhirHttp.JSON, "If-Match", "W/\"99\"");
		assertThat(stale.status()).isEqualTo(412);

		Task completed = task.copy().setStatus(Task.TaskStatus.COMPLETED);
		FhirHttp.Response ok = jgzA.put("/fhir/Task/" + task.getIdPart(), FhirHttp.json(completed), FhirHttp.JSON);
		assertThat(ok.status()).as(ok.body()).isEqualTo(200);
		assertThat(jgzA.get("/fhir/Task/" + task.getIdPart()).as(Task.class).getStatus())
			.isEqualTo(Task.TaskStatus.COMPLETED);
		FhirHttp.Response again = jgzA.put("/fhir/Task/" + task.getIdPart(), FhirHttp.json(completed), FhirHttp.JSON);
		assertThat(again.status()).isEqualTo(409);
		assertThat(
				jdbc.queryForObject("select count(*) from handover where task_id = ? and acknowledged_at is not null",
						Long.class, task.getIdPart()))
			.isEqualTo(1);
		// Only the status changes: JGZ cannot rewrite the Task.
		assertThat(jgzA.get("/fhir/Task/" + task.getIdPart()).as(Task.class).getFocus().getReference())
			.isEqualTo(task.getFocus().getReference());
		// The acknowledgement is in the audit trail.
		assertThat(jdbc.queryForObject(
				"select count(*) from audit_event where client_id = 'jgz-a' and action = 'U' and outcome = 0",
				Long.class))
			.isGreaterThanOrEqualTo(1);
	}

	@Test
	void withoutAPermitNothingIsMadeOrSent() {
		long documentsBefore = count("select count(*) from resource where resource_type in ('Task', 'Bundle')");
		var none = new PregnancyGenerator(52_003).next();
		Family.submit(http, Pregnancies.livingIn(none.bundle(), PUSH_MUNICIPALITY), (mother, child) -> List.of());
		var denied = new PregnancyGenerator(52_004).next();
		Family.submit(http, Pregnancies.livingIn(denied.bundle(), PUSH_MUNICIPALITY), (mother, child) -> List
			.of(Consents.simple("deny", mother, "2024-01-10T10:00:00+01:00", false, Purpose.HANDOVER)));
		var forOthers = new PregnancyGenerator(52_005).next();
		Family.submit(http, Pregnancies.livingIn(forOthers.bundle(), PUSH_MUNICIPALITY),
				(mother, child) -> List.of(Consents.consent("p", mother, "active", "2024-01-10T10:00:00+01:00", true,
						List.of(Purpose.HANDOVER), List.of(JGZ_A), null, null)));
		awaitQueuesDrained();
		assertThat(count("select count(*) from resource where resource_type in ('Task', 'Bundle')"))
			.isEqualTo(documentsBefore);
		for (String bsn : List.of(none.truth().motherBsn(), denied.truth().motherBsn(),
				forOthers.truth().motherBsn())) {
			assertThat(tasksFor(jgzB, JGZ_B, bsn)).isEmpty();
		}
		assertThat(JGZ_ENDPOINT.getAllServeEvents()).isEmpty();
	}

	@Test
	void aWithdrawalCancelsWhatWasNotDelivered() {
		// The receiver is down: the document waits in the outbox.
		JGZ_ENDPOINT.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post("/fhir/Bundle")
			.atPriority(1)
			.willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(503)));
		var pregnancy = new PregnancyGenerator(52_006).next();
		Family family = Family.submit(http,
				Pregnancies.beforeBirth(Pregnancies.livingIn(pregnancy.bundle(), PUSH_MUNICIPALITY)),
				(mother, child) -> permit(mother));
		Task task = awaitTask(jgzB, JGZ_B, pregnancy.truth().motherBsn(), requested("prenatal"));
		await().atMost(Duration.ofSeconds(20))
			.until(() -> count("select coalesce(max(attempts), 0) from handover_delivery where task_id = '"
					+ task.getIdPart() + "'") >= 1);

		Consent withdrawal = Consents.simple("withdrawal", new Reference("Patient/" + family.motherId()),
				"2024-02-01T10:00:00+01:00", false, Purpose.HANDOVER);
		assertThat(http.submit("/fhir/Consent", FhirHttp.json(withdrawal)).status()).isEqualTo(201);
		await().atMost(Duration.ofSeconds(20))
			.until(() -> jgzB.get("/fhir/Task/" + task.getIdPart())
				.as(Task.class)
				.getStatus() == Task.TaskStatus.CANCELLED);
		assertThat(jgzB.get("/fhir/Task/" + task.getIdPart()).as(Task.class).getStatusReason().getText())
			.contains("consent");
		// Not acknowledged: the document is gone, and the Task keeps no identifier of
		// her, not even in its history.
		await().atMost(Duration.ofSeconds(20))
			.until(() -> jgzB.get("/fhir/" + task.getFocus().getReference()).status() == 404);
		assertThat(jgzB.get("/fhir/Bundle?_id=" + task.getFocus().getReferenceElement().getIdPart())
			.as(Bundle.class)
			.getTotal()).isZero();
		List<Task> history = jgzB.get("/fhir/Task/" + task.getIdPart() + "/_history")
			.as(Bundle.class)
			.getEntry()
			.stream()
			.map(e -> (Task) e.getResource())
			.toList();
		assertThat(history).singleElement().satisfies(t -> {
			assertThat(t.getFor().hasIdentifier()).isFalse();
			assertThat(t.getStatus()).isEqualTo(Task.TaskStatus.CANCELLED);
		});
		assertThat(jgzB.get("/fhir/Task/" + task.getIdPart() + "/_history/1").status()).isEqualTo(404);
		assertThat(jgzB.get("/fhir/Task/" + task.getIdPart()).body()).doesNotContain(pregnancy.truth().motherBsn());
		assertThat(count("select count(*) from handover_delivery where task_id = '" + task.getIdPart()
				+ "' and status = 'cancelled'"))
			.isEqualTo(1);
		// The receiver comes back: nothing is sent any more.
		JGZ_ENDPOINT.resetAll();
		JGZ_ENDPOINT.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post("/fhir/Bundle")
			.willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(201)));
		awaitQueuesDrained();
		assertThat(JGZ_ENDPOINT.getAllServeEvents()).isEmpty();
		assertThat(count("select count(*) from consent_decision where context like 'Task/" + task.getIdPart() + "%'"))
			.as("each delivery attempt was gated and logged")
			.isGreaterThan(0);
	}

	@Test
	void anAcknowledgedDocumentStaysWithTheJgzAfterAWithdrawal() {
		var pregnancy = new PregnancyGenerator(52_016).next();
		Family family = Family.submit(http,
				Pregnancies.beforeBirth(Pregnancies.livingIn(pregnancy.bundle(), PULL_MUNICIPALITY)),
				(mother, child) -> permit(mother));
		Task task = awaitTask(jgzA, JGZ_A, pregnancy.truth().motherBsn(), requested("prenatal"));
		task.setStatus(Task.TaskStatus.COMPLETED);
		FhirHttp.Response ack = jgzA.put("/fhir/Task/" + task.getIdPart(), FhirHttp.json(task), FhirHttp.JSON);
		assertThat(ack.status()).as(ack.body()).isEqualTo(200);

		Consent withdrawal = Consents.simple("withdrawal", new Reference("Patient/" + family.motherId()),
				"2024-02-01T10:00:00+01:00", false, Purpose.HANDOVER);
		assertThat(http.submit("/fhir/Consent", FhirHttp.json(withdrawal)).status()).isEqualTo(201);
		await().atMost(Duration.ofSeconds(20))
			.until(() -> count("select count(*) from handover where mother = '" + family.motherId()
					+ "' and status = 'cancelled'") == 1);
		// Lawfully handed over before the withdrawal: it is part of the JGZ dossier
		// (docs/handover.md).
		assertThat(document(jgzA, task)).isNotNull();
		assertThat(jgzA.get("/fhir/Task/" + task.getIdPart()).as(Task.class).getStatus())
			.isEqualTo(Task.TaskStatus.COMPLETED);
	}

	@Test
	void aStillbirthHasNoPostnatalHandover() {
		var pregnancy = new PregnancyGenerator(52_007).next();
		Family family = Family.submit(http,
				Pregnancies.stillborn(Pregnancies.livingIn(pregnancy.bundle(), PULL_MUNICIPALITY)),
				(mother, child) -> permit(mother));
		awaitTask(jgzA, JGZ_A, pregnancy.truth().motherBsn(), requested("prenatal"));
		awaitQueuesDrained();
		assertThat(count(
				"select count(*) from handover where mother = '" + family.motherId() + "' and moment = 'postnatal'"))
			.isZero();
		assertThat(tasksOf(jgzA, JGZ_A))
			.noneMatch(t -> ("Patient/" + family.childId()).equals(t.getFor().getReference()));
	}

	/**
	 * Weesp (GM0457) joined Amsterdam in 2022: an EHR that still sends the old code
	 * reaches Amsterdam's JGZ.
	 */
	@Test
	void aFormerMunicipalityCodeIsRoutedByItsSuccessor() {
		var pregnancy = new PregnancyGenerator(52_010).next();
		Family family = Family.submit(http, Pregnancies.beforeBirth(Pregnancies.livingIn(pregnancy.bundle(), "GM0457")),
				(mother, child) -> permit(mother));
		awaitTask(jgzA, JGZ_A, pregnancy.truth().motherBsn(), requested("prenatal"));
		assertThat(jdbc.queryForObject("select municipality from handover where mother = ?", String.class,
				family.motherId()))
			.isEqualTo("GM0363");
	}

	/**
	 * A routing row must name a municipality of today, in its own GGD region: an unknown
	 * or former code, or a wrong region, is a 422 and the table stays.
	 */
	@Test
	void aRoutingTableWithAnUnknownOrFormerMunicipalityOrAWrongRegionIsRefusedAndChangesNothing() throws Exception {
		long before = count("select count(*) from jgz_route");
		for (String row : List.of("GM9999,http://fhir.nl/fhir/NamingSystem/ura|90000999,JGZ Elders,",
				"GM0457,http://fhir.nl/fhir/NamingSystem/ura|90000999,JGZ Weesp,",
				"GM0518,http://fhir.nl/fhir/NamingSystem/ura|90000518,JGZ Haaglanden,,,GG0111")) {
			java.nio.file.Files.writeString(ROUTING, "municipality,organization,name,endpoint,timeout,region\n"
					+ PULL_MUNICIPALITY + "," + JGZ_A + ",JGZ Amsterdam,,,GG3406\n" + row + "\n");
			try {
				FhirHttp.Response reload = http.as("admin")
					.post("/fhir/$reload-routing", "{\"resourceType\":\"Parameters\"}", FhirHttp.JSON);
				assertThat(reload.status()).as(reload.body()).isEqualTo(422);
				assertThat(reload.body()).contains(row.substring(0, 6)).contains("line 3");
				assertThat(count("select count(*) from jgz_route")).isEqualTo(before);
			}
			finally {
				writeRouting(false);
			}
		}
	}

	@Test
	void anUnknownMunicipalityParksUntilTheRoutingTableKnowsIt() {
		var pregnancy = new PregnancyGenerator(52_008).next();
		Family family = Family.submit(http,
				Pregnancies.beforeBirth(Pregnancies.livingIn(pregnancy.bundle(), UNROUTED_MUNICIPALITY)),
				(mother, child) -> permit(mother));
		await().atMost(Duration.ofSeconds(20))
			.until(() -> count("select count(*) from handover where mother = '" + family.motherId()
					+ "' and status = 'parked'") == 1);
		assertThat(jdbc.queryForObject("select status_reason from handover where mother = ?", String.class,
				family.motherId()))
			.contains(UNROUTED_MUNICIPALITY);
		FhirHttp.Response metrics = http.as("admin").get("/actuator/metrics/gateway.handover.parked");
		assertThat(metrics.status()).isEqualTo(200);

		writeRouting(true);
		try {
			FhirHttp.Response reload = http.as("admin")
				.post("/fhir/$reload-routing", "{\"resourceType\":\"Parameters\"}", FhirHttp.JSON);
			assertThat(reload.status()).as(reload.body()).isEqualTo(200);
			awaitTask(jgzA, JGZ_A, pregnancy.truth().motherBsn(), requested("prenatal"));
		}
		finally {
			writeRouting(false);
			http.as("admin").post("/fhir/$reload-routing", "{\"resourceType\":\"Parameters\"}", FhirHttp.JSON);
		}
	}

	@Test
	void aMoveBeforeDeliveryReroutes() {
		var pregnancy = new PregnancyGenerator(52_009).next();
		Bundle inAmsterdam = Pregnancies.beforeBirth(Pregnancies.livingIn(pregnancy.bundle(), PULL_MUNICIPALITY));
		Family.submit(http, inAmsterdam, (mother, child) -> permit(mother));
		Task first = awaitTask(jgzA, JGZ_A, pregnancy.truth().motherBsn(), requested("prenatal"));

		Family.submit(http, Pregnancies.livingIn(inAmsterdam, PUSH_MUNICIPALITY), (mother, child) -> List.of());
		Task rerouted = awaitTask(jgzB, JGZ_B, pregnancy.truth().motherBsn(), requested("prenatal"));
		Task old = jgzA.get("/fhir/Task/" + first.getIdPart()).as(Task.class);
		assertThat(old.getStatus()).isEqualTo(Task.TaskStatus.CANCELLED);
		assertThat(old.getStatusReason().getText()).contains("rerouted");
		// The organisation no longer responsible cannot read what it never acknowledged.
		assertThat(jgzA.get("/fhir/" + first.getFocus().getReference()).status()).isEqualTo(404);
		// A first document for the new recipient: nothing it has seen is replaced.
		assertThat(composition(document(jgzB, rerouted)).getStatus()).isEqualTo(Composition.CompositionStatus.FINAL);
		await().atMost(Duration.ofSeconds(20)).until(() -> !JGZ_ENDPOINT.getAllServeEvents().isEmpty());
	}

	private long count(String sql) {
		return jdbc.queryForObject(sql, Long.class);
	}

}
