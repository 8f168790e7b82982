package nl.kansrijkestart.gateway.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nl.kansrijkestart.gateway.support.DatabaseState;
import nl.kansrijkestart.gateway.support.FhirHttp;
import nl.kansrijkestart.gateway.support.GatewayTest;
import nl.kansrijkestart.tools.PregnancyGenerator;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/** Resending never duplicates: not in sequence, not from eight clients at once. */
@GatewayTest
class IdempotentIngestTest {

	@LocalServerPort
	int port;

	@Autowired
	JdbcTemplate jdbc;

	FhirHttp http;

	@BeforeEach
	void setUp() {
		http = new FhirHttp(port);
	}

	@Test
	void resendingTheSameBundleCreatesNothingNew() {
		String bundle = FhirHttp.json(new PregnancyGenerator(101).next().bundle());
		assertThat(http.submit("/fhir", bundle).status()).isEqualTo(200);
		DatabaseState before = DatabaseState.of(jdbc);

		FhirHttp.Response again = http.submit("/fhir", bundle);

		assertThat(again.status()).isEqualTo(200);
		assertThat(again.as(Bundle.class).getEntry())
			.allSatisfy(e -> assertThat(e.getResponse().getStatus()).isEqualTo("200 OK"));
		assertThat(DatabaseState.of(jdbc)).isEqualTo(before);
	}

	@Test
	void resendingWithFreshPlaceholderIdsCreatesNothingNew() {
		String bundle = FhirHttp.json(new PregnancyGenerator(102).next().bundle());
		assertThat(http.submit("/fhir", bundle).status()).isEqualTo(200);
		DatabaseState before = DatabaseState.of(jdbc);

		FhirHttp.Response again = http.submit("/fhir", withFreshUuids(bundle));

		assertThat(again.status()).as(again.body()).isEqualTo(200);
		assertThat(DatabaseState.of(jdbc)).isEqualTo(before);
	}

	@Test
	void aChangedObservationBecomesANewVersionWithProvenance() {
		String bundle = FhirHttp.json(new PregnancyGenerator(103).next().bundle());
		Bundle first = http.submit("/fhir", bundle).as(Bundle.class);
		long provenances = count("Provenance");
		String changed = bundle.replaceFirst("\"valueInteger\":(\\d+)", "\"valueInteger\":29");

		Bundle second = http.submit("/fhir", changed).as(Bundle.class);

		List<String> statuses = second.getEntry().stream().map(e -> e.getResponse().getStatus()).toList();
		assertThat(statuses).containsOnly("200 OK");
		long newVersions = second.getEntry().stream().filter(e -> e.getResponse().getEtag().equals("W/\"2\"")).count();
		assertThat(newVersions).isEqualTo(1);
		assertThat(count("Provenance")).isEqualTo(provenances + 1);
		assertThat(first.getEntry()).hasSameSizeAs(second.getEntry());
	}

	@Test
	void eightClientsSendingTheSameBundleAtOnceLeaveOneCopy() throws Exception {
		var pregnancy = new PregnancyGenerator(104).next();
		String bundle = FhirHttp.json(pregnancy.bundle());
		int clients = 8;
		long provenances = count("Provenance");
		ExecutorService pool = Executors.newFixedThreadPool(clients);
		CountDownLatch start = new CountDownLatch(1);
		List<Future<FhirHttp.Response>> futures = new ArrayList<>();
		for (int i = 0; i < clients; i++) {
			// Fresh placeholders per client, as independent senders would mint them.
			String mine = withFreshUuids(bundle);
			Callable<FhirHttp.Response> send = () -> {
				start.await();
				return http.submit("/fhir", mine);
			};
			futures.add(pool.submit(send));
		}
		start.countDown();
		for (Future<FhirHttp.Response> f : futures) {
			FhirHttp.Response r = f.get();
			assertThat(r.status()).as(r.body()).isEqualTo(200);
		}
		pool.shutdown();

		int entries = pregnancy.bundle().getEntry().size();
		// Every entry but the mother (BSN) and the VSV's organisation (its URA, shared
		// with other pregnancies) carries
		// an identifier of this pregnancy's record.
		String episodeId = pregnancy.bundle()
			.getEntry()
			.stream()
			.map(Bundle.BundleEntryComponent::getResource)
			.filter(EpisodeOfCare.class::isInstance)
			.map(r -> ((EpisodeOfCare) r).getIdentifierFirstRep().getValue())
			.findFirst()
			.orElseThrow();
		String record = episodeId.substring(0, episodeId.lastIndexOf('-') + 1) + "%";
		Long stored = jdbc
			.queryForObject("select count(*) from resource r where r.resource_type <> 'Provenance' and exists"
					+ " (select 1 from resource_identifier i where i.resource_type = r.resource_type and i.id = r.id and i.value like ?)",
					Long.class, record);
		Long mothers = jdbc.queryForObject(
				"select count(*) from resource_identifier where resource_type = 'Patient' and value = ?", Long.class,
				pregnancy.truth().motherBsn());
		assertThat(mothers).isEqualTo(1);
		assertThat(stored).isEqualTo(entries - 2);
		assertThat(count("Provenance")).as("only the winning write is recorded").isEqualTo(provenances + 1);
		Long versions = jdbc.queryForObject(
				"select max(version) from resource r where exists (select 1 from resource_identifier i"
						+ " where i.resource_type = r.resource_type and i.id = r.id and i.value like ?)",
				Long.class, record);
		assertThat(versions).isEqualTo(1);
	}

	private long count(String type) {
		return jdbc.queryForObject("select count(*) from resource where resource_type = ?", Long.class, type);
	}

	private static String withFreshUuids(String bundle) {
		Matcher m = Pattern.compile("urn:uuid:[0-9a-f-]{36}").matcher(bundle);
		java.util.Map<String, String> replacements = new java.util.HashMap<>();
		StringBuilder out = new StringBuilder();
		while (m.find()) {
			m.appendReplacement(out, replacements.computeIfAbsent(m.group(), k -> "urn:uuid:" + UUID.randomUUID()));
		}
		m.appendTail(out);
		return out.toString();
	}

}
