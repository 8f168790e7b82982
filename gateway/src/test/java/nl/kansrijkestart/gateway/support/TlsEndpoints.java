package nl.kansrijkestart.gateway.support;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.springframework.boot.ssl.DefaultSslBundleRegistry;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.jks.JksSslStoreBundle;
import org.springframework.boot.ssl.jks.JksSslStoreDetails;
import org.springframework.core.io.ClassPathResource;

/**
 * HTTPS endpoints (WireMock) that require a client certificate, with the test key
 * material of {@code tls/} (see its README): one trusts the gateway's client certificate,
 * the other someone else's only.
 */
public final class TlsEndpoints {

	public static final String PASSWORD = "test-only";

	public static final String GATEWAY_TRUST = "tls/jgz-trust.p12";

	public static final String STRANGER_TRUST = "tls/stranger-trust.p12";

	private TlsEndpoints() {
	}

	/**
	 * Started; trusts only the client certificates in {@code trustStore}, refuses a
	 * handshake without one.
	 */
	public static WireMockServer requiringClientCertificate(String trustStore) {
		WireMockServer server = new WireMockServer(options().httpDisabled(true)
			.dynamicHttpsPort()
			.keystorePath(file("tls/jgz-server.p12"))
			.keystoreType("PKCS12")
			.keystorePassword(PASSWORD)
			.keyManagerPassword(PASSWORD)
			.needClientAuth(true)
			.trustStorePath(file(trustStore))
			.trustStoreType("PKCS12")
			.trustStorePassword(PASSWORD));
		server.start();
		return server;
	}

	public static String baseUrl(WireMockServer server) {
		return "https://localhost:" + server.httpsPort();
	}

	/**
	 * The gateway's bundle as {@code spring.ssl.bundle.jks.<name>} gives it: its client
	 * key, trusting the endpoints.
	 */
	public static SslBundles gatewayBundle(String name, boolean withClientKey) {
		JksSslStoreDetails trust = new JksSslStoreDetails("PKCS12", null, "classpath:tls/gateway-trust.p12", PASSWORD);
		JksSslStoreDetails key = withClientKey
				? new JksSslStoreDetails("PKCS12", null, "classpath:tls/gateway-client.p12", PASSWORD) : null;
		return new DefaultSslBundleRegistry(name, SslBundle.of(new JksSslStoreBundle(key, trust)));
	}

	private static String file(String resource) {
		try {
			return new ClassPathResource(resource).getFile().getPath();
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

}
