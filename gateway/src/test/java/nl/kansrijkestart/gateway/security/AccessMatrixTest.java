package nl.kansrijkestart.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import nl.kansrijkestart.gateway.consent.Purpose;
import nl.kansrijkestart.gateway.support.Consents;
import nl.kansrijkestart.gateway.support.FhirHttp;
import nl.kansrijkestart.gateway.support.GatewayTest;
import nl.kansrijkestart.gateway.support.Tokens;
import nl.kansrijkestart.tools.PregnancyGenerator;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Every caller against every endpoint and operation, with the status each cell must
 * answer, and the audit trail each cell must leave: one AuditEvent per FHIR access by an
 * authenticated caller (success or refusal), none for the CapabilityStatement, the
 * operational endpoints or an unauthenticated request.
 */
@GatewayTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessMatrixTest {

	private static final List<String> BIRTH_CARE_TYPES = List.of("Patient", "RelatedPerson", "EpisodeOfCare",
			"Observation", "Procedure", "Organization", "Consent");

	@LocalServerPort
	int port;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	JWKSource<SecurityContext> localKeys;

	@Value("${gateway.security.local-issuer.issuer}")
	String issuer;

	FhirHttp http;

	final Map<String, String> idByType = new LinkedHashMap<>();

	final Map<String, String> jsonByType = new LinkedHashMap<>();

	int seed = 5000;

	/**
	 * What an endpoint is, for the expectations: who may use it is written out per caller
	 * below.
	 */
	enum Kind {

		METADATA, HEALTH, DASHBOARD, OPERATIONAL, BIRTH_CARE_READ, PATIENT_READ, BIRTH_CARE_WRITE, TRANSACTION, AUDIT,
		CONSENT_DECISION, TASK_READ, DOCUMENT_READ, ROUTING, MONITORING, MONITORING_CSV

	}

	record Endpoint(String name, Kind kind, int success, boolean fhir, Supplier<HttpRequest.Builder> request) {
	}

	record Caller(String name, String clientId, String bearer) {
	}

	@BeforeAll
	void load() {
		http = new FhirHttp(port);
		FhirHttp.Response r = http.submit("/fhir", FhirHttp.json(new PregnancyGenerator(4999).next().bundle()));
		assertThat(r.status()).as(r.body()).isEqualTo(200);
		for (Bundle.BundleEntryComponent e : r.as(Bundle.class).getEntry()) {
			String[] location = e.getResponse().getLocation().split("/");
			idByType.putIfAbsent(location[0], location[1]);
		}
		FhirHttp.Response consent = http.submit("/fhir/Consent",
				FhirHttp.json(
						Consents.simple("c", new org.hl7.fhir.r4.model.Reference("Patient/" + idByType.get("Patient")),
								"2024-03-01T10:00:00+01:00", true, Purpose.HANDOVER)));
		assertThat(consent.status()).as(consent.body()).isEqualTo(201);
		idByType.put("Consent", consent.header("Location").split("/Consent/")[1].split("/")[0]);
		// The Provenance of the submitter's own transaction (the shared database holds
		// other partitions' too)
		idByType.put("Provenance", jdbc.queryForObject(
				"select id from resource where resource_type = 'Provenance' and owner = ? order by last_updated desc limit 1",
				String.class, FhirHttp.ORG));
		for (String type : BIRTH_CARE_TYPES) {
			jsonByType.put(type, http.get("/fhir/" + type + "/" + idByType.get(type)).body());
		}
	}

	private List<Endpoint> endpoints() {
		List<Endpoint> list = new ArrayList<>();
		list.add(new Endpoint("GET metadata", Kind.METADATA, 200, false, () -> get("/fhir/metadata")));
		list.add(new Endpoint("GET health", Kind.HEALTH, 200, false, () -> get("/actuator/health")));
		list.add(new Endpoint("GET metrics", Kind.OPERATIONAL, 200, false, () -> get("/actuator/metrics")));
		list.add(new Endpoint("POST transaction", Kind.TRANSACTION, 200, true,
				() -> post("/fhir", FhirHttp.json(new PregnancyGenerator(seed++).next().bundle()))));
		list.add(new Endpoint("POST Patient", Kind.BIRTH_CARE_WRITE, 201, true, () -> post("/fhir/Patient",
				FhirHttp.json(new PregnancyGenerator(seed++).next().bundle().getEntry().get(1).getResource()))));
		for (String type : BIRTH_CARE_TYPES) {
			String path = "/fhir/" + type + "/" + idByType.get(type);
			Kind read = type.equals("Patient") ? Kind.PATIENT_READ : Kind.BIRTH_CARE_READ;
			list.add(new Endpoint("GET " + type + " read", read, 200, true, () -> get(path)));
			list.add(new Endpoint("GET " + type + " vread", read, 200, true, () -> get(path + "/_history/1")));
			list.add(new Endpoint("GET " + type + " history", read, 200, true, () -> get(path + "/_history")));
			list.add(new Endpoint("GET " + type + " search", read, 200, true,
					() -> get("/fhir/" + type + "?_id=" + idByType.get(type))));
			list.add(new Endpoint("PUT " + type, Kind.BIRTH_CARE_WRITE, 200, true,
					() -> HttpRequest.newBuilder(uri(path))
						.header("Content-Type", FhirHttp.JSON)
						.PUT(HttpRequest.BodyPublishers.ofString(jsonByType.get(type), StandardCharsets.UTF_8))));
		}
		list.add(new Endpoint("GET Patient $consent-decision", Kind.CONSENT_DECISION, 200, true,
				() -> get("/fhir/Patient/" + idByType.get("Patient") + "/$consent-decision?purpose=TREAT")));
		list.add(new Endpoint("GET Task search", Kind.TASK_READ, 200, true,
				() -> get("/fhir/Task?status=requested&_count=5")));
		list.add(new Endpoint("GET Bundle search", Kind.DOCUMENT_READ, 200, true, () -> get("/fhir/Bundle?_count=5")));
		list.add(new Endpoint("POST $reload-routing", Kind.ROUTING, 200, true,
				() -> post("/fhir/$reload-routing", "{\"resourceType\":\"Parameters\"}")));
		list.add(new Endpoint("GET Measure search", Kind.MONITORING, 200, true, () -> get("/fhir/Measure")));
		list.add(new Endpoint("GET Measure $evaluate-measure", Kind.MONITORING, 200, true,
				() -> get("/fhir/Measure/ks-big2/$evaluate-measure?periodStart=2024-01&periodEnd=2024-12")));
		list.add(new Endpoint("GET monitoring CSV", Kind.MONITORING_CSV, 200, false,
				() -> get("/monitoring/api/ks-big2.csv?periodStart=2024-01&periodEnd=2024-12")));
		list.add(new Endpoint("GET map areas", Kind.MONITORING_CSV, 200, false,
				() -> get("/monitoring/api/map/regions.geojson")));
		list.add(new Endpoint("GET dashboard's chart library", Kind.DASHBOARD, 200, false,
				() -> get("/webjars/echarts/5.3.1/dist/echarts.min.js")));
		list.add(new Endpoint("GET Provenance read", Kind.BIRTH_CARE_READ, 200, true,
				() -> get("/fhir/Provenance/" + idByType.get("Provenance"))));
		list.add(new Endpoint("GET Provenance search", Kind.BIRTH_CARE_READ, 200, true,
				() -> get("/fhir/Provenance?_count=5")));
		list.add(new Endpoint("GET AuditEvent search", Kind.AUDIT, 200, true,
				() -> get("/fhir/AuditEvent?agent=vsv-a&_count=5")));
		list.add(new Endpoint("GET AuditEvent read", Kind.AUDIT, 200, true, () -> get("/fhir/AuditEvent/"
				+ jdbc.queryForObject("select id::text from audit_event order by recorded limit 1", String.class))));
		return list;
	}

	private List<Caller> callers() {
		Tokens local = new Tokens(localKeys, issuer, "kansrijke-start-gateway");
		long past = Instant.now().minusSeconds(3600).getEpochSecond();
		return List.of(new Caller("no token", null, null), new Caller("submitter", "vsv-a", http.token("vsv-a")),
				new Caller("submitter with patient scope only", "vsv-narrow", http.token("vsv-narrow")),
				new Caller("JGZ receiver", "jgz-a", http.token("jgz-a")),
				new Caller("monitoring reader", "monitoring", http.token("monitoring")),
				new Caller("administrator", "admin", http.token("admin")),
				new Caller("expired token", null,
						local.token(Map.of("exp", Instant.ofEpochSecond(past), "iat", Instant.ofEpochSecond(past - 300),
								"nbf", Instant.ofEpochSecond(past - 300)))),
				new Caller("wrong issuer", null, local.token(Map.of("iss", "https://idp.example.org/realms/other"))),
				new Caller("wrong audience", null, local.token(Map.of("aud", List.of("another-api")))),
				new Caller("tampered signature", null, Tokens.tampered(local.token(Map.of()))),
				new Caller("unknown signing key", null,
						Tokens.withUnknownKey(issuer, "kansrijke-start-gateway").token(Map.of())),
				new Caller("no organisation claim", null,
						local.token(java.util.Collections.singletonMap("organization", null))),
				new Caller("unknown role", null, local.token(Map.of("role", "superuser"))));
	}

	/**
	 * The expected status: written out per caller, independently of the gateway's own
	 * rules.
	 */
	private static int expected(Caller caller, Endpoint endpoint) {
		Set<Kind> open = Set.of(Kind.METADATA, Kind.HEALTH, Kind.DASHBOARD);
		Set<Kind> allowed;
		switch (caller.name()) {
			case "no token":
				return open.contains(endpoint.kind()) ? endpoint.success() : 401;
			case "submitter":
				allowed = Set.of(Kind.METADATA, Kind.HEALTH, Kind.DASHBOARD, Kind.BIRTH_CARE_READ, Kind.PATIENT_READ,
						Kind.BIRTH_CARE_WRITE, Kind.TRANSACTION, Kind.CONSENT_DECISION);
				break;
			case "submitter with patient scope only":
				allowed = Set.of(Kind.METADATA, Kind.HEALTH, Kind.DASHBOARD, Kind.PATIENT_READ, Kind.CONSENT_DECISION);
				break;
			case "JGZ receiver":
				allowed = Set.of(Kind.METADATA, Kind.HEALTH, Kind.DASHBOARD, Kind.TASK_READ, Kind.DOCUMENT_READ);
				break;
			case "monitoring reader":
				allowed = Set.of(Kind.METADATA, Kind.HEALTH, Kind.DASHBOARD, Kind.MONITORING, Kind.MONITORING_CSV);
				break;
			case "administrator":
				allowed = Set.of(Kind.METADATA, Kind.HEALTH, Kind.DASHBOARD, Kind.OPERATIONAL, Kind.AUDIT,
						Kind.CONSENT_DECISION, Kind.TASK_READ, Kind.ROUTING);
				break;
			default:
				return 401;
		}
		return allowed.contains(endpoint.kind()) ? endpoint.success() : 403;
	}

	@Test
	void everyCallerAgainstEveryEndpoint() {
		List<String> mismatches = new ArrayList<>();
		int cells = 0;
		for (Caller caller : callers()) {
			for (Endpoint endpoint : endpoints()) {
				long auditBefore = auditRows(caller.clientId());
				HttpRequest.Builder request = endpoint.request().get();
				FhirHttp.Response response = caller.bearer() == null ? http.as(null).send(request)
						: http.as(null).send(request, "Authorization", "Bearer " + caller.bearer());
				int expected = expected(caller, endpoint);
				cells++;
				if (response.status() != expected) {
					mismatches.add(caller.name() + " × " + endpoint.name() + ": " + response.status() + ", expected "
							+ expected + " " + response.body().substring(0, Math.min(200, response.body().length())));
					continue;
				}
				if (expected >= 400) {
					assertThat(response.body()).as(caller.name() + " × " + endpoint.name())
						.contains("\"resourceType\":\"OperationOutcome\"");
				}
				if (expected == 401) {
					assertThat(response.header("WWW-Authenticate")).as(caller.name() + " × " + endpoint.name())
						.startsWith("Bearer");
				}
				boolean audited = caller.clientId() != null && endpoint.fhir();
				long added = auditRows(caller.clientId()) - auditBefore;
				if (added != (audited ? 1 : 0)) {
					mismatches.add(caller.name() + " × " + endpoint.name() + ": " + added + " audit events");
				}
				else if (audited) {
					int outcome = jdbc.queryForObject(
							"select outcome from audit_event where client_id = ? order by recorded desc limit 1",
							Integer.class, caller.clientId());
					if (outcome != (expected < 300 ? 0 : 4)) {
						mismatches.add(caller.name() + " × " + endpoint.name() + ": audit outcome " + outcome);
					}
				}
			}
		}
		assertThat(mismatches).as("of " + cells + " cells").isEmpty();
		assertThat(cells).isGreaterThan(400);
	}

	private long auditRows(String clientId) {
		return clientId == null ? jdbc.queryForObject("select count(*) from audit_event", Long.class)
				: jdbc.queryForObject("select count(*) from audit_event where client_id = ?", Long.class, clientId);
	}

	private HttpRequest.Builder get(String path) {
		return HttpRequest.newBuilder(uri(path)).GET();
	}

	private HttpRequest.Builder post(String path, String body) {
		return HttpRequest.newBuilder(uri(path))
			.header("Content-Type", FhirHttp.JSON)
			.POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
	}

	private URI uri(String path) {
		return URI.create("http://localhost:" + port + path.replace("|", "%7C"));
	}

}
