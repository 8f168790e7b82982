package nl.kansrijkestart.gateway.handover;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ca.uhn.fhir.context.FhirContext;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import nl.kansrijkestart.gateway.GatewayApplication;
import nl.kansrijkestart.gateway.consent.Purpose;
import nl.kansrijkestart.gateway.support.Consents;
import nl.kansrijkestart.gateway.support.ExternalSystems;
import nl.kansrijkestart.gateway.support.FaultsPerDocument;
import nl.kansrijkestart.gateway.support.Family;
import nl.kansrijkestart.gateway.support.FhirHttp;
import nl.kansrijkestart.gateway.support.GatewayTest;
import nl.kansrijkestart.gateway.support.TlsEndpoints;
import nl.kansrijkestart.gateway.support.Pregnancies;
import nl.kansrijkestart.tools.PregnancyGenerator;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Push delivery against a JGZ endpoint that misbehaves (WireMock): 500s, timeouts, reset
 * connections, slow answers, a gateway restart in the middle. Every document arrives,
 * none is lost, and every copy of a document carries the same Bundle.identifier, so the
 * receiver can drop duplicates; what never gets through is dead-lettered visibly.
 */
@GatewayTest
class HandoverDeliveryTest extends ExternalSystems {

	private static final FhirContext CTX = FhirContext.forR4Cached();

	@LocalServerPort
	int port;

	@Autowired
	JdbcTemplate jdbc;

	FhirHttp http;

	@TempDir
	Path dataDirectory;

	@BeforeEach
	void setUp() {
		http = new FhirHttp(port);
	}

	private static List<String> receivedIdentifiers(boolean acceptedOnly) {
		List<String> identifiers = new ArrayList<>();
		for (ServeEvent e : JGZ_ENDPOINT.getAllServeEvents()) {
			if (acceptedOnly && (e.getResponse().getStatus() / 100 != 2 || e.getResponse().getFault() != null)) {
				continue;
			}
			identifiers.add(CTX.newJsonParser()
				.parseResource(Bundle.class, e.getRequest().getBodyAsString())
				.getIdentifier()
				.getValue());
		}
		return identifiers;
	}

	private static Family submit(FhirHttp http, long seed) {
		var pregnancy = new PregnancyGenerator(seed).next();
		return Family.submit(http, Pregnancies.livingIn(pregnancy.bundle(), PUSH_MUNICIPALITY), (mother, child) -> List
			.of(Consents.simple("permit", mother, "2024-01-10T10:00:00+01:00", true, Purpose.HANDOVER)));
	}

	private Set<String> documentsFor(List<Family> families, JdbcTemplate db) {
		Set<String> identifiers = new HashSet<>();
		for (Family f : families) {
			identifiers.addAll(db.queryForList(
					"select d.bundle_identifier from handover_delivery d join handover h on h.id = d.handover_id"
							+ " where h.mother = ?",
					String.class, f.motherId()));
		}
		return identifiers;
	}

	/**
	 * Every document meets every fault (FaultsPerDocument) and still arrives, once
	 * retried past them.
	 */
	@Test
	void everyDocumentArrivesThroughFaults() {
		JGZ_ENDPOINT.stubFor(post(urlPathEqualTo("/fhir/Bundle")).atPriority(1)
			.willReturn(aResponse().withStatus(201).withTransformers(FaultsPerDocument.NAME)));
		List<Family> families = new ArrayList<>();
		for (int i = 0; i < 6; i++) {
			families.add(submit(http, 53_000 + i));
		}
		await().atMost(Duration.ofSeconds(60)).until(() -> {
			Set<String> expected = documentsFor(families, jdbc);
			return expected.size() >= 12 && new HashSet<>(receivedIdentifiers(true)).containsAll(expected);
		});
		Set<String> expected = documentsFor(families, jdbc);
		assertThat(expected).hasSizeGreaterThanOrEqualTo(12);
		// Duplicates (a timed-out POST that did arrive) are the same document with the
		// same identifier.
		assertThat(receivedIdentifiers(false)).containsAll(expected);
		assertThat(new HashSet<>(receivedIdentifiers(false))).isEqualTo(new HashSet<>(receivedIdentifiers(true)));
		assertThat(receivedIdentifiers(false)).as("each document met every fault first")
			.hasSizeGreaterThanOrEqualTo(expected.size() * (FaultsPerDocument.FAULTS.size() + 1));
		await().atMost(Duration.ofSeconds(20))
			.until(() -> families.stream()
				.allMatch(f -> jdbc.queryForObject(
						"select count(*) from handover_delivery d join handover h on h.id = d.handover_id where h.mother = ? and d.status <> 'delivered'",
						Long.class, f.motherId()) == 0));
		Task task = http.as("jgz-b")
			.get("/fhir/Task/"
					+ jdbc.queryForObject("select task_id from handover where mother = ? and moment = 'postnatal'",
							String.class, families.get(0).motherId()))
			.as(Task.class);
		assertThat(task.getBusinessStatus().getText()).isEqualTo("delivered");
	}

	/**
	 * A JGZ endpoint that never answers in time does not hold up the others: pushes to
	 * Rotterdam go out while pushes to the stalling Den Haag endpoint are in flight (one
	 * sender, as before, would have waited for each timeout).
	 */
	@Test
	void aStallingEndpointDoesNotHoldUpTheOthers() {
		WireMockServer stalling = new WireMockServer(
				com.github.tomakehurst.wiremock.core.WireMockConfiguration.options().dynamicPort());
		stalling.start();
		stalling
			.stubFor(post(urlPathEqualTo("/fhir/Bundle")).willReturn(aResponse().withStatus(201).withFixedDelay(3000)));
		writeRouting(false, stalling.baseUrl() + "/fhir");
		try {
			assertThat(http.as("admin")
				.post("/fhir/$reload-routing", "{\"resourceType\":\"Parameters\"}", FhirHttp.JSON)
				.status()).isEqualTo(200);
			for (int i = 0; i < 2; i++) {
				var pregnancy = new PregnancyGenerator(53_300 + i).next();
				Family.submit(http, Pregnancies.livingIn(pregnancy.bundle(), "GM0518"), (mother, child) -> List
					.of(Consents.simple("permit", mother, "2024-01-10T10:00:00+01:00", true, Purpose.HANDOVER)));
			}
			await().atMost(Duration.ofSeconds(30)).until(() -> !stalling.getAllServeEvents().isEmpty());
			List<Family> families = new ArrayList<>();
			for (int i = 0; i < 3; i++) {
				families.add(submit(http, 53_310 + i));
			}
			await().atMost(Duration.ofSeconds(30))
				.until(() -> new HashSet<>(receivedIdentifiers(true)).containsAll(documentsFor(families, jdbc))
						&& documentsFor(families, jdbc).size() >= 6);
			List<Long> stalled = stalling.getAllServeEvents()
				.stream()
				.map(e -> e.getRequest().getLoggedDate().getTime())
				.toList();
			// Some push to Rotterdam started while a push to Den Haag was waiting for its
			// (500 ms) timeout.
			assertThat(JGZ_ENDPOINT.getAllServeEvents()).anySatisfy(e -> {
				long at = e.getRequest().getLoggedDate().getTime();
				assertThat(stalled).anyMatch(s -> at > s && at < s + 400);
			});
		}
		finally {
			writeRouting(false);
			http.as("admin").post("/fhir/$reload-routing", "{\"resourceType\":\"Parameters\"}", FhirHttp.JSON);
			stalling.stop();
		}
	}

	/**
	 * An endpoint that needs more time than the default push timeout (500 ms here) gets
	 * its own from the routing table.
	 */
	@Test
	void anEndpointCanHaveItsOwnTimeout() {
		WireMockServer slow = new WireMockServer(
				com.github.tomakehurst.wiremock.core.WireMockConfiguration.options().dynamicPort());
		slow.start();
		slow.stubFor(post(urlPathEqualTo("/fhir/Bundle")).willReturn(aResponse().withStatus(201).withFixedDelay(1000)));
		writeRouting(false, slow.baseUrl() + "/fhir", "5s");
		try {
			assertThat(http.as("admin")
				.post("/fhir/$reload-routing", "{\"resourceType\":\"Parameters\"}", FhirHttp.JSON)
				.status()).isEqualTo(200);
			var pregnancy = new PregnancyGenerator(53_320).next();
			Family family = Family.submit(http,
					Pregnancies.beforeBirth(Pregnancies.livingIn(pregnancy.bundle(), "GM0518")), (mother, child) -> List
						.of(Consents.simple("permit", mother, "2024-01-10T10:00:00+01:00", true, Purpose.HANDOVER)));
			await().atMost(Duration.ofSeconds(30))
				.until(() -> jdbc.queryForObject(
						"select count(*) from handover_delivery d join handover h"
								+ " on h.id = d.handover_id where h.mother = ? and d.status = 'delivered'",
						Long.class, family.motherId()) == 1);
			// Taken at the first attempt: with the default 500 ms it would have timed out
			// every time.
			assertThat(jdbc
				.queryForObject("select attempts from handover_delivery d join handover h on h.id = d.handover_id"
						+ " where h.mother = ?", Integer.class, family.motherId()))
				.isEqualTo(1);
		}
		finally {
			writeRouting(false);
			http.as("admin").post("/fhir/$reload-routing", "{\"resourceType\":\"Parameters\"}", FhirHttp.JSON);
			slow.stop();
		}
	}

	/**
	 * Routes Den Haag to the https endpoint and submits a consented pregnancy there,
	 * before birth (one document).
	 */
	private Family prenatalPushedTo(WireMockServer endpoint, long seed) {
		// a handshake on a cold, busy JVM can take longer than the suite's 500 ms push
		// timeout
		writeRouting(false, TlsEndpoints.baseUrl(endpoint) + "/fhir", "10s");
		assertThat(http.as("admin")
			.post("/fhir/$reload-routing", "{\"resourceType\":\"Parameters\"}", FhirHttp.JSON)
			.status()).isEqualTo(200);
		return Family.submit(http,
				Pregnancies.beforeBirth(Pregnancies.livingIn(new PregnancyGenerator(seed).next().bundle(), "GM0518")),
				(mother, child) -> List
					.of(Consents.simple("permit", mother, "2024-01-10T10:00:00+01:00", true, Purpose.HANDOVER)));
	}

	/**
	 * Pushes over https present the gateway's client certificate
	 * (gateway.handover.delivery.ssl-bundle): an endpoint that requires it gets the
	 * document; one that trusts someone else's certificate only gets no request at all,
	 * and the document waits for its retries.
	 */
	@Test
	void pushesAuthenticateWithTheGatewaysClientCertificate() {
		WireMockServer trusting = TlsEndpoints.requiringClientCertificate(TlsEndpoints.GATEWAY_TRUST);
		WireMockServer stranger = TlsEndpoints.requiringClientCertificate(TlsEndpoints.STRANGER_TRUST);
		trusting.stubFor(post(urlPathEqualTo("/fhir/Bundle")).willReturn(aResponse().withStatus(201)));
		stranger.stubFor(post(urlPathEqualTo("/fhir/Bundle")).willReturn(aResponse().withStatus(201)));
		String delivery = "select coalesce(string_agg(d.status || ':' || d.attempts, ','), '') from handover_delivery d"
				+ " join handover h on h.id = d.handover_id where h.mother = ?";
		try {
			Family accepted = prenatalPushedTo(trusting, 53_330);
			// Delivered; on a loaded machine a first attempt may time out after the
			// endpoint
			// took it, so the same document can arrive twice, never another one.
			await().atMost(Duration.ofSeconds(30))
				.until(() -> jdbc.queryForObject(delivery, String.class, accepted.motherId()).startsWith("delivered:"));
			assertThat(trusting.getAllServeEvents()).isNotEmpty()
				.extracting(e -> CTX.newJsonParser().parseResource(Bundle.class, e.getRequest().getBodyAsString()))
				.allSatisfy(b -> assertThat(b.getType()).isEqualTo(Bundle.BundleType.DOCUMENT))
				.extracting(b -> b.getIdentifier().getValue())
				.containsOnly(jdbc.queryForObject("select d.bundle_identifier from handover_delivery d join handover h"
						+ " on h.id = d.handover_id where h.mother = ?", String.class, accepted.motherId()));

			Family refused = prenatalPushedTo(stranger, 53_331);
			await().atMost(Duration.ofSeconds(30)).until(() -> {
				String state = jdbc.queryForObject(delivery, String.class, refused.motherId());
				return state.matches("(pending|dead):[1-9][0-9]*");
			});
			assertThat(stranger.getAllServeEvents()).as("no request gets past the handshake").isEmpty();
		}
		finally {
			writeRouting(false);
			http.as("admin").post("/fhir/$reload-routing", "{\"resourceType\":\"Parameters\"}", FhirHttp.JSON);
			trusting.stop();
			stranger.stop();
		}
	}

	@Test
	void whatNeverGetsThroughIsDeadLettered() {
		JGZ_ENDPOINT
			.stubFor(post(urlPathEqualTo("/fhir/Bundle")).atPriority(1).willReturn(aResponse().withStatus(500)));
		Family family = submit(http, 53_100);
		await().atMost(Duration.ofSeconds(30))
			.until(() -> jdbc.queryForObject(
					"select count(*) from handover_delivery d join handover h"
							+ " on h.id = d.handover_id where h.mother = ? and d.status = 'dead'",
					Long.class, family.motherId()) == 2);
		assertThat(jdbc.queryForList(
				"select attempts from handover_delivery d join handover h on h.id = d.handover_id where h.mother = ?",
				Integer.class, family.motherId()))
			.containsOnly(8);
		String taskId = jdbc.queryForObject("select task_id from handover where mother = ? and moment = 'prenatal'",
				String.class, family.motherId());
		assertThat(http.as("jgz-b").get("/fhir/Task/" + taskId).as(Task.class).getBusinessStatus().getText())
			.startsWith("dead-letter");
		assertThat(http.as("admin").get("/actuator/metrics/gateway.handover.dead-letters").body())
			.contains("\"value\":");
	}

	/**
	 * The endpoint refuses every push (503) while the first gateway runs, so every
	 * document is still on its way, tried once and due again in 2 s, when it stops; the
	 * second delivers them all.
	 */
	@Test
	void deliveriesSurviveARestartInTheMiddle() {
		JGZ_ENDPOINT
			.stubFor(post(urlPathEqualTo("/fhir/Bundle")).atPriority(1).willReturn(aResponse().withStatus(503)));
		List<Family> families = new ArrayList<>();
		Set<String> expected;
		try (ConfigurableApplicationContext first = start()) {
			FhirHttp own = new FhirHttp(((WebServerApplicationContext) first).getWebServer().getPort());
			for (int i = 0; i < 5; i++) {
				families.add(submit(own, 53_200 + i));
			}
			JdbcTemplate db = first.getBean(JdbcTemplate.class);
			await().atMost(Duration.ofSeconds(30)).until(() -> documentsFor(families, db).size() >= 10);
			expected = documentsFor(families, db);
			await().atMost(Duration.ofSeconds(30))
				.until(() -> new HashSet<>(receivedIdentifiers(false)).containsAll(expected));
			assertThat(receivedIdentifiers(true)).isEmpty();
		}
		JGZ_ENDPOINT
			.stubFor(post(urlPathEqualTo("/fhir/Bundle")).atPriority(1).willReturn(aResponse().withStatus(201)));
		try (ConfigurableApplicationContext second = start()) {
			await().atMost(Duration.ofSeconds(60))
				.until(() -> new HashSet<>(receivedIdentifiers(true)).containsAll(expected));
		}
	}

	private ConfigurableApplicationContext start() {
		return new SpringApplicationBuilder(GatewayApplication.class).run("--server.port=0",
				"--spring.profiles.active=test", "--gateway.embedded-database.data-directory=" + dataDirectory,
				"--gateway.handover.routing-file=file:" + ROUTING,
				"--gateway.consent.registry.base-url=" + REGISTRY.baseUrl() + "/fhir",
				"--gateway.handover.poll-interval=100ms", "--gateway.handover.delivery.poll-interval=50ms",
				"--gateway.handover.delivery.initial-backoff=2s", "--gateway.handover.delivery.max-backoff=2s",
				"--gateway.handover.delivery.timeout=1s");
	}

}
