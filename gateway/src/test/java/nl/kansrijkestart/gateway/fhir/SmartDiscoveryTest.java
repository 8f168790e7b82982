package nl.kansrijkestart.gateway.fhir;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.notFound;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.time.Duration;
import nl.kansrijkestart.gateway.security.SecurityProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/**
 * SMART discovery with an external issuer: its token endpoint from the issuer's OpenID
 * Connect discovery.
 */
class SmartDiscoveryTest {

	private final WireMockServer idp = new WireMockServer(options().dynamicPort());

	@BeforeEach
	void start() {
		idp.start();
	}

	@AfterEach
	void stop() {
		idp.stop();
	}

	private SmartDiscovery discovery() {
		return new SmartDiscovery(
				new SecurityProperties(idp.baseUrl() + "/realms/ks", idp.baseUrl() + "/realms/ks/certs", "gateway",
						Duration.ofSeconds(30), "organization", "role", null, null, Duration.ofSeconds(30)),
				null);
	}

	private static MockHttpServletResponse serve(SmartDiscovery discovery) throws Exception {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/fhir/.well-known/smart-configuration");
		MockHttpServletResponse response = new MockHttpServletResponse();
		discovery.doFilter(request, response, new MockFilterChain());
		return response;
	}

	@Test
	void theTokenEndpointIsTheIssuers() throws Exception {
		idp.stubFor(get("/realms/ks/.well-known/openid-configuration")
			.willReturn(okJson("{\"issuer\":\"" + idp.baseUrl()
					+ "/realms/ks\",\"token_endpoint\":\"https://idp.example/realms/ks/protocol/openid-connect/token\","
					+ "\"authorization_endpoint\":\"https://idp.example/realms/ks/protocol/openid-connect/auth\"}")));
		MockHttpServletResponse response = serve(discovery());
		assertThat(response.getStatus()).isEqualTo(200);
		assertThat(response.getContentAsString()).contains(
				"\"token_endpoint\":\"https://idp.example/realms/ks/protocol/openid-connect/token\"",
				"\"authorization_endpoint\":\"https://idp.example/realms/ks/protocol/openid-connect/auth\"");
	}

	/**
	 * Unreadable discovery is a 503 with an OperationOutcome, and it is not asked again
	 * at once.
	 */
	@Test
	void withoutTheIssuersDiscoveryItIsUnavailable() throws Exception {
		idp.stubFor(get("/realms/ks/.well-known/openid-configuration").willReturn(notFound()));
		SmartDiscovery discovery = discovery();
		MockHttpServletResponse response = serve(discovery);
		assertThat(response.getStatus()).isEqualTo(503);
		assertThat(response.getContentAsString()).contains("OperationOutcome", "discovery document");
		assertThat(serve(discovery).getStatus()).isEqualTo(503);
		assertThat(idp.getAllServeEvents()).hasSize(1);
	}

}
