package nl.kansrijkestart.gateway.consent;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import nl.kansrijkestart.gateway.support.TlsEndpoints;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.ssl.SslBundles;

/**
 * The consent registry (Mitz) is called over mutual TLS with the configured SSL bundle,
 * and only over https in production.
 */
class ConsentRegistryTlsTest {

	private static final String BSN = "999911120";

	private final WireMockServer mitz = TlsEndpoints.requiringClientCertificate(TlsEndpoints.GATEWAY_TRUST);

	private final WireMockServer stranger = TlsEndpoints.requiringClientCertificate(TlsEndpoints.STRANGER_TRUST);

	@AfterEach
	void stop() {
		mitz.stop();
		stranger.stop();
	}

	private static ConsentRegistry registry(String baseUrl, String bundle, SslBundles bundles, boolean production) {
		ConsentProperties properties = new ConsentProperties(MonitoringPolicy.OPT_IN,
				new ConsentProperties.Registry(baseUrl, Duration.ofSeconds(2), Duration.ofSeconds(2), 1,
						Duration.ofMillis(10), Duration.ofSeconds(60), 100, bundle),
				new ConsentProperties.Changes(Duration.ofSeconds(1)));
		return new ConsentRegistry(properties, FhirContext.forR4Cached(), new SimpleMeterRegistry(), bundles,
				production);
	}

	private static void answerEmpty(WireMockServer server) {
		server.stubFor(get(urlPathEqualTo("/fhir/Consent")).willReturn(aResponse().withStatus(200)
			.withHeader("Content-Type", "application/fhir+json")
			.withBody("{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"total\":0}")));
	}

	@Test
	void withTheGatewaysClientCertificateTheRegistryAnswers() {
		answerEmpty(mitz);
		ConsentRegistry.Answer answer = registry(TlsEndpoints.baseUrl(mitz) + "/fhir", "mitz",
				TlsEndpoints.gatewayBundle("mitz", true), true)
			.consentsOf(BSN);
		assertThat(answer.available()).as(answer.failure()).isTrue();
		assertThat(answer.statements()).isEmpty();
		assertThat(mitz.getAllServeEvents()).hasSize(1);
	}

	@Test
	void withoutATrustedCertificateTheHandshakeFailsAndNothingIsAsked() {
		answerEmpty(mitz);
		answerEmpty(stranger);
		// no client key in the bundle
		assertThat(
				registry(TlsEndpoints.baseUrl(mitz) + "/fhir", "mitz", TlsEndpoints.gatewayBundle("mitz", false), false)
					.consentsOf(BSN)
					.available())
			.isFalse();
		// no bundle: the JVM's trust store does not know the registry's certificate
		assertThat(registry(TlsEndpoints.baseUrl(mitz) + "/fhir", null, TlsEndpoints.gatewayBundle("mitz", true), false)
			.consentsOf(BSN)
			.available()).isFalse();
		// a registry that trusts someone else's certificate only
		assertThat(registry(TlsEndpoints.baseUrl(stranger) + "/fhir", "mitz", TlsEndpoints.gatewayBundle("mitz", true),
				false)
			.consentsOf(BSN)
			.available()).isFalse();
		assertThat(mitz.getAllServeEvents()).isEmpty();
		assertThat(stranger.getAllServeEvents()).isEmpty();
	}

	@Test
	void inProductionTheRegistryMustBeHttps() {
		assertThatThrownBy(() -> registry("http://localhost:" + mitz.httpsPort() + "/fhir", null,
				TlsEndpoints.gatewayBundle("mitz", true), true))
			.isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("https");
		assertThat(registry("http://localhost:1/fhir", null, TlsEndpoints.gatewayBundle("mitz", true), false).enabled())
			.isTrue();
	}

}
