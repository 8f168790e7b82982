package nl.kansrijkestart.gateway.security;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import java.util.Map;
import java.util.UUID;
import nl.kansrijkestart.gateway.support.FhirHttp;
import nl.kansrijkestart.gateway.support.GatewayTest;
import nl.kansrijkestart.gateway.support.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Production mode: tokens come from an external identity provider (WireMock serves its
 * JWKS). The local issuer is off, the provider's tokens are accepted, and tokens it did
 * not sign, or that cannot be checked, are refused.
 */
@GatewayTest
class ExternalIssuerTest {

	private static final WireMockServer IDP = new WireMockServer(options().dynamicPort());

	private static final RSAKey KEY = newKey();

	static {
		IDP.start();
	}

	private static final String ISSUER = IDP.baseUrl() + "/realms/kansrijke-start";

	@DynamicPropertySource
	static void externalIssuer(DynamicPropertyRegistry registry) {
		registry.add("gateway.security.issuer-uri", () -> ISSUER);
		registry.add("gateway.security.jwk-set-uri", () -> IDP.baseUrl() + CERTS);
		registry.add("gateway.security.jwks-min-refetch-interval", () -> REFETCH_INTERVAL.toMillis() + "ms");
	}

	private static final String CERTS = "/realms/kansrijke-start/protocol/openid-connect/certs";

	private static final java.time.Duration REFETCH_INTERVAL = java.time.Duration.ofSeconds(2);

	/**
	 * Past the refetch interval: the next unknown key id makes the gateway fetch the keys
	 * again.
	 */
	private static void waitOutTheRefetchInterval() throws InterruptedException {
		Thread.sleep(REFETCH_INTERVAL.toMillis() + 200);
	}

	@AfterAll
	static void stop() {
		IDP.stop();
	}

	@LocalServerPort
	int port;

	FhirHttp http;

	@BeforeEach
	void setUp() {
		http = new FhirHttp(port).as(null);
		IDP.resetAll();
		IDP.stubFor(get(CERTS).willReturn(okJson(new JWKSet(KEY.toPublicJWK()).toString())));
	}

	private static RSAKey newKey() {
		try {
			return new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
		}
		catch (com.nimbusds.jose.JOSEException e) {
			throw new IllegalStateException(e);
		}
	}

	private static String bearer(String token) {
		return "Bearer " + token;
	}

	@Test
	void theProvidersTokensAreAccepted() {
		String token = new Tokens(new ImmutableJWKSet<>(new JWKSet(KEY)), ISSUER, "kansrijke-start-gateway")
			.token(Map.of());
		FhirHttp.Response r = http.get("/fhir/Patient?_count=1", "Authorization", bearer(token));
		assertThat(r.status()).as(r.body()).isEqualTo(200);
	}

	@Test
	void theLocalIssuerIsOff() {
		assertThat(http
			.post("/oauth2/token", "grant_type=client_credentials", "application/x-www-form-urlencoded",
					"Authorization", "Basic dnNmLWE6dGVzdC1zZWNyZXQ=")
			.status()).isEqualTo(401);
		assertThat(http.get("/.well-known/oauth-authorization-server").status()).isEqualTo(401);
	}

	@Test
	void tokensTheProviderDidNotSignAreRefused() {
		String foreign = Tokens.withUnknownKey(ISSUER, "kansrijke-start-gateway").token(Map.of());
		assertThat(http.get("/fhir/Patient", "Authorization", bearer(foreign)).status()).isEqualTo(401);
		String otherIssuer = new Tokens(new ImmutableJWKSet<>(new JWKSet(KEY)), "http://localhost:" + port,
				"kansrijke-start-gateway")
			.token(Map.of());
		assertThat(http.get("/fhir/Patient", "Authorization", bearer(otherIssuer)).status()).isEqualTo(401);
	}

	@Test
	void whenTheProvidersKeysCannotBeFetchedNothingIsLetThroughAndClientsMayRetry() throws InterruptedException {
		RSAKey rotated = newKey();
		waitOutTheRefetchInterval();
		IDP.stubFor(get(CERTS).willReturn(aResponse().withStatus(503)));
		String token = new Tokens(new ImmutableJWKSet<>(new JWKSet(rotated)), ISSUER, "kansrijke-start-gateway")
			.token(Map.of());
		FhirHttp.Response r = http.get("/fhir/Patient", "Authorization", bearer(token));
		assertThat(r.status()).isEqualTo(503);
		assertThat(r.header("Retry-After")).isNotNull();
		assertThat(r.body()).contains("OperationOutcome").doesNotContain("\"Patient\"");
	}

	@Test
	void aTokenWithoutExpiryIsRefused() {
		String forever = new Tokens(new ImmutableJWKSet<>(new JWKSet(KEY)), ISSUER, "kansrijke-start-gateway")
			.token(java.util.Collections.singletonMap("exp", null));
		FhirHttp.Response r = http.get("/fhir/Patient?_count=1", "Authorization", bearer(forever));
		assertThat(r.status()).as(r.body()).isEqualTo(401);
		assertThat(r.body()).contains("no expiry");
	}

	@Test
	void randomKeyIdsDoNotMakeTheGatewayRefetchTheKeysEveryTime() throws InterruptedException {
		waitOutTheRefetchInterval();
		long start = System.nanoTime();
		for (int i = 0; i < 30; i++) {
			String token = Tokens.withUnknownKey(ISSUER, "kansrijke-start-gateway").token(Map.of());
			assertThat(http.get("/fhir/Patient?_count=1", "Authorization", bearer(token)).status()).isEqualTo(401);
		}
		long intervals = (System.nanoTime() - start) / REFETCH_INTERVAL.toNanos();
		int fetches = IDP
			.findAll(com.github.tomakehurst.wiremock.client.WireMock
				.getRequestedFor(com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo(CERTS)))
			.size();
		// One fetch per interval at most, however many unknown key ids arrived.
		assertThat(fetches).isBetween(1, (int) intervals + 1);
	}

}
