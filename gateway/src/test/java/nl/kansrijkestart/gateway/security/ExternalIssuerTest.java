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
 * Production mode: tokens come from an external identity provider (WireMock serves its JWKS). The local issuer is
 * off, the provider's tokens are accepted, and tokens it did not sign, or that cannot be checked, are refused.
 */
@GatewayTest
class ExternalIssuerTest {

	private static final String ISSUER = "https://idp.example.org/realms/kansrijke-start";
	private static final WireMockServer IDP = new WireMockServer(options().dynamicPort());
	private static final RSAKey KEY = newKey();

	static {
		IDP.start();
	}

	@DynamicPropertySource
	static void externalIssuer(DynamicPropertyRegistry registry) {
		registry.add("gateway.security.issuer-uri", () -> ISSUER);
		registry.add("gateway.security.jwk-set-uri", () -> IDP.baseUrl() + "/realms/kansrijke-start/protocol/openid-connect/certs");
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
		IDP.stubFor(get("/realms/kansrijke-start/protocol/openid-connect/certs")
				.willReturn(okJson(new JWKSet(KEY.toPublicJWK()).toString())));
	}

	private static RSAKey newKey() {
		try {
			return new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
		} catch (com.nimbusds.jose.JOSEException e) {
			throw new IllegalStateException(e);
		}
	}

	private static String bearer(String token) {
		return "Bearer " + token;
	}

	@Test
	void theProvidersTokensAreAccepted() {
		String token = new Tokens(new ImmutableJWKSet<>(new JWKSet(KEY)), ISSUER, "kansrijke-start-gateway").token(Map.of());
		FhirHttp.Response r = http.get("/fhir/Patient?_count=1", "Authorization", bearer(token));
		assertThat(r.status()).as(r.body()).isEqualTo(200);
	}

	@Test
	void theLocalIssuerIsOff() {
		assertThat(http.post("/oauth2/token", "grant_type=client_credentials", "application/x-www-form-urlencoded",
				"Authorization", "Basic dnNmLWE6dGVzdC1zZWNyZXQ=").status()).isEqualTo(401);
		assertThat(http.get("/.well-known/oauth-authorization-server").status()).isEqualTo(401);
	}

	@Test
	void tokensTheProviderDidNotSignAreRefused() {
		String foreign = Tokens.withUnknownKey(ISSUER, "kansrijke-start-gateway").token(Map.of());
		assertThat(http.get("/fhir/Patient", "Authorization", bearer(foreign)).status()).isEqualTo(401);
		String otherIssuer = new Tokens(new ImmutableJWKSet<>(new JWKSet(KEY)), "http://localhost:" + port, "kansrijke-start-gateway")
				.token(Map.of());
		assertThat(http.get("/fhir/Patient", "Authorization", bearer(otherIssuer)).status()).isEqualTo(401);
	}

	@Test
	void whenTheProvidersKeysCannotBeFetchedNothingIsLetThroughAndClientsMayRetry() {
		RSAKey rotated = newKey();
		IDP.stubFor(get("/realms/kansrijke-start/protocol/openid-connect/certs").willReturn(aResponse().withStatus(503)));
		String token = new Tokens(new ImmutableJWKSet<>(new JWKSet(rotated)), ISSUER, "kansrijke-start-gateway").token(Map.of());
		FhirHttp.Response r = http.get("/fhir/Patient", "Authorization", bearer(token));
		assertThat(r.status()).isEqualTo(503);
		assertThat(r.header("Retry-After")).isNotNull();
		assertThat(r.body()).contains("OperationOutcome").doesNotContain("\"Patient\"");
	}
}
