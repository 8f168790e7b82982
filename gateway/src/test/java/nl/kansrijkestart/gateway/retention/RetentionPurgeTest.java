package nl.kansrijkestart.gateway.retention;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import nl.kansrijkestart.gateway.privacy.PrivacyProperties;
import nl.kansrijkestart.gateway.support.FhirHttp;
import nl.kansrijkestart.gateway.support.GatewayTest;
import nl.kansrijkestart.tools.PregnancyGenerator;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The retention purge removes exactly the records whose last birth is older than the
 * retention period (and whose mother has not started a new pregnancy since), keeps
 * everything else and the audit trail, and records itself. A purge spans the whole
 * database: it may also remove other test classes' records, which none of them needs
 * after it has run, so its assertions are about its own records.
 */
@GatewayTest
class RetentionPurgeTest {

	private static final String BSN = "http://fhir.nl/fhir/NamingSystem/bsn|";

	@LocalServerPort
	int port;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	RetentionPurge purge;

	@Autowired
	PrivacyProperties properties;

	record Loaded(PregnancyGenerator.GeneratedPregnancy pregnancy, List<String> refs) {
	}

	@Test
	void purgesExactlyTheExpiredRecordsAndAuditsIt() {
		FhirHttp http = new FhirHttp(port).as("vsv-b");
		PregnancyGenerator generator = new PregnancyGenerator(8100);
		List<Loaded> loaded = new ArrayList<>();
		while (loaded.size() < 8) {
			PregnancyGenerator.GeneratedPregnancy p = generator.next();
			if (p.truth().birthDate() == null) {
				continue;
			}
			FhirHttp.Response r = http.submit("/fhir", FhirHttp.json(p.bundle()));
			assertThat(r.status()).isEqualTo(200);
			loaded.add(new Loaded(p,
					r.as(Bundle.class)
						.getEntry()
						.stream()
						.map(e -> e.getResponse().getLocation().split("/_history")[0])
						.filter(ref -> !ref.startsWith("Organization/"))
						.toList()));
		}
		loaded.sort(Comparator.comparing(l -> l.pregnancy().truth().birthDate()));
		// The retention clock set so that the first half of the births (by date) have
		// expired.
		LocalDate lastExpired = loaded.get(3).pregnancy().truth().birthDate();
		assertThat(loaded.get(4).pregnancy().truth().birthDate()).isAfter(lastExpired);
		Instant now = lastExpired.plusDays(1)
			.atStartOfDay(ZoneOffset.UTC)
			.toInstant()
			.plus(properties.retention().afterBirth());

		// One expired mother has begun a new pregnancy since: her record is kept.
		Loaded pregnantAgain = loaded.get(0);
		EpisodeOfCare next = new EpisodeOfCare();
		next.getMeta().addProfile("https://kansrijkestart.nl/fhir/StructureDefinition/ks-pregnancy-episode");
		next.addIdentifier().setSystem("https://synthetic.kansrijkestart.nl/retention-test").setValue("next-pregnancy");
		next.setStatus(EpisodeOfCare.EpisodeOfCareStatus.ACTIVE);
		next.addType()
			.addCoding()
			.setSystem("http://snomed.info/sct")
			.setCode("364320009")
			.setDisplay("Pregnancy observable");
		next.setPatient(new Reference(
				pregnantAgain.refs().stream().filter(r -> r.startsWith("Patient/")).findFirst().orElseThrow()));
		next.setManagingOrganization(new Reference(http
			.get("/fhir/Organization?identifier=" + PregnancyGenerator.URA + "|"
					+ pregnantAgain.pregnancy().truth().vsvUra())
			.as(Bundle.class)
			.getEntryFirstRep()
			.getResource()
			.getIdElement()
			.toUnqualifiedVersionless()
			.getValue()));
		next.getPeriod()
			.setStartElement(new DateTimeType(pregnantAgain.pregnancy().truth().birthDate().plusMonths(5).toString()));
		FhirHttp.Response episode = http.submit("/fhir/EpisodeOfCare", FhirHttp.json(next));
		assertThat(episode.status()).as(episode.body()).isEqualTo(201);

		Map<String, Long> auditBefore = auditCounts();
		RetentionPurge.Result result = purge.purgeExpired(now, null);

		for (int i = 0; i < loaded.size(); i++) {
			Loaded l = loaded.get(i);
			boolean expired = i > 0 && i <= 3;
			for (String ref : l.refs()) {
				String[] parts = ref.split("/");
				long rows = jdbc.queryForObject("select count(*) from resource where resource_type = ? and id = ?",
						Long.class, parts[0], parts[1]);
				long history = jdbc.queryForObject(
						"select count(*) from resource_history where resource_type = ? and id = ?", Long.class,
						parts[0], parts[1]);
				if (expired) {
					assertThat(rows + history).as(ref + " expired").isZero();
				}
				else {
					assertThat(rows).as(ref + " kept").isEqualTo(1);
					assertThat(history).as(ref + " kept").isPositive();
				}
			}
			Bundle found = http.get("/fhir/Patient?identifier=" + BSN + l.pregnancy().truth().motherBsn())
				.as(Bundle.class);
			assertThat(found.getTotal()).isEqualTo(expired ? 0 : 1);
		}
		assertThat(result.records()).isGreaterThanOrEqualTo(3);
		assertThat(jdbc.queryForObject("select count(*) from search_reference where target_id = any(?)", Long.class,
				(Object) loaded.subList(1, 4)
					.stream()
					.flatMap(l -> l.refs().stream())
					.map(r -> r.split("/")[1])
					.toArray(String[]::new)))
			.isZero();

		// The audit trail keeps every earlier event and has one destroy event per purged
		// record, findable by BSN.
		Map<String, Long> auditAfter = auditCounts();
		auditBefore
			.forEach((action, count) -> assertThat(auditAfter.get(action)).as(action).isGreaterThanOrEqualTo(count));
		assertThat(auditAfter.get("D") - auditBefore.getOrDefault("D", 0L)).isEqualTo(result.records());
		FhirHttp admin = http.as("admin");
		Bundle trail = admin
			.get("/fhir/AuditEvent?patient:identifier=" + BSN + loaded.get(1).pregnancy().truth().motherBsn())
			.as(Bundle.class);
		assertThat(trail.getEntry()).extracting(e -> ((AuditEvent) e.getResource()).getAction())
			.contains(AuditEvent.AuditEventAction.C, AuditEvent.AuditEventAction.D);
		assertThat(
				jdbc.queryForObject("select count(*) from resource where resource_type = 'Organization'", Long.class))
			.isPositive();
	}

	@Test
	void onlyTheAdministratorRunsThePurgeOnDemand() {
		FhirHttp http = new FhirHttp(port);
		assertThat(http.post("/fhir/$purge-expired", "{\"resourceType\":\"Parameters\"}", FhirHttp.JSON).status())
			.isEqualTo(403);
		FhirHttp.Response r = http.as("admin")
			.post("/fhir/$purge-expired", "{\"resourceType\":\"Parameters\"}", FhirHttp.JSON);
		assertThat(r.status()).as(r.body()).isEqualTo(200);
		assertThat(r.as(Parameters.class).getParameter("records")).isNotNull();
	}

	private Map<String, Long> auditCounts() {
		Map<String, Long> counts = new TreeMap<>();
		jdbc.query("select action, count(*) from audit_event group by action", rs -> {
			counts.put(rs.getString(1), rs.getLong(2));
		});
		return counts;
	}

}
