package nl.kansrijkestart.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import nl.kansrijkestart.gateway.support.FhirHttp;
import nl.kansrijkestart.gateway.support.GatewayTest;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * What every response carries and leaves out: security headers, no software banners, no
 * CORS unless configured.
 */
@GatewayTest
class TransportHardeningTest {

	@LocalServerPort
	int port;

	FhirHttp http;

	@BeforeEach
	void setUp() {
		http = new FhirHttp(port);
	}

	@Test
	void responsesCarrySecurityHeadersAndNoBanner() {
		for (FhirHttp.Response r : new FhirHttp.Response[] { http.get("/fhir/Patient?_count=1"),
				http.as(null).get("/fhir/Patient"), http.get("/fhir/Patient/unknown"),
				http.as(null).get("/fhir/metadata") }) {
			assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
			assertThat(r.header("X-Frame-Options")).isEqualTo("DENY");
			assertThat(r.header("Content-Security-Policy")).contains("frame-ancestors 'none'");
			assertThat(r.header("Referrer-Policy")).isEqualTo("no-referrer");
			assertThat(r.header("Cache-Control")).contains("no-store");
			assertThat(r.header("Server")).isNull();
			assertThat(r.header("X-Powered-By")).isNull();
			assertThat(r.body()).doesNotContainIgnoringCase("tomcat").doesNotContain("HAPI FHIR");
		}
		CapabilityStatement metadata = http.as(null).get("/fhir/metadata").as(CapabilityStatement.class);
		assertThat(metadata.getSoftware().getName()).isEqualTo("Kansrijke Start gateway");
	}

	@Test
	void revocationIsNotOfferedSoNoClientBelievesATokenRevoked() {
		String token = http.token("vsv-a");
		String basic = java.util.Base64.getEncoder()
			.encodeToString("vsv-a:test-secret".getBytes(java.nio.charset.StandardCharsets.UTF_8));
		for (String endpoint : new String[] { "/oauth2/revoke", "/oauth2/introspect" }) {
			FhirHttp.Response r = http.as(null)
				.post(endpoint, "token=" + token, "application/x-www-form-urlencoded", "Authorization",
						"Basic " + basic);
			assertThat(r.status()).as(endpoint).isIn(401, 403, 404);
		}
	}

	@Test
	void everyDatabaseSessionHasAStatementTimeout(
			@org.springframework.beans.factory.annotation.Autowired org.springframework.jdbc.core.JdbcTemplate jdbc) {
		assertThat(jdbc.queryForObject("show statement_timeout", String.class)).isEqualTo("30s");
		assertThat(jdbc.queryForObject("show idle_in_transaction_session_timeout", String.class)).isEqualTo("1min");
		// The embedded server is as durable as an external one (the library's defaults
		// turn these off).
		for (String setting : new String[] { "fsync", "synchronous_commit", "full_page_writes" }) {
			assertThat(jdbc.queryForObject("show " + setting, String.class)).as(setting).isEqualTo("on");
		}
	}

	@Test
	void corsIsOffByDefault() {
		FhirHttp.Response preflight = http.as(null)
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/fhir/Patient"))
				.method("OPTIONS", HttpRequest.BodyPublishers.noBody()), "Origin", "https://elsewhere.example",
					"Access-Control-Request-Method", "GET");
		assertThat(preflight.header("Access-Control-Allow-Origin")).isNull();
		FhirHttp.Response cross = http.get("/fhir/Patient?_count=1", "Origin", "https://elsewhere.example");
		assertThat(cross.header("Access-Control-Allow-Origin")).isNull();
	}

	@Test
	void unknownPathsAndErrorPagesRevealNothing() {
		FhirHttp.Response unknown = http.get("/nothing-here");
		assertThat(unknown.status()).isIn(401, 403, 404);
		assertThat(unknown.body()).doesNotContainIgnoringCase("tomcat")
			.doesNotContain("Whitelabel")
			.doesNotContain("Exception");
		FhirHttp.Response env = http.as("admin").get("/actuator/env");
		assertThat(env.status()).isIn(403, 404);
	}

}
