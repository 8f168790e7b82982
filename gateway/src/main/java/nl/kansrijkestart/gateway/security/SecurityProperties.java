package nl.kansrijkestart.gateway.security;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code gateway.security}: where tokens come from and what they must say. With neither {@code issuer-uri} nor
 * {@code jwk-set-uri} set, the gateway issues tokens itself to the clients of {@code local-issuer}.
 * {@code jwks-min-refetch-interval}: the external issuer's keys are fetched at most this often, however many tokens
 * with unknown key ids arrive (a signing-key rotation is picked up after at most this long).
 */
@ConfigurationProperties("gateway.security")
public record SecurityProperties(String issuerUri, String jwkSetUri, @DefaultValue("kansrijke-start-gateway") String audience,
		@DefaultValue("30s") Duration clockSkew, @DefaultValue("organization") String organizationClaim,
		@DefaultValue("role") String roleClaim, LocalIssuer localIssuer, @DefaultValue Cors cors,
		@DefaultValue("30s") Duration jwksMinRefetchInterval) {

	public boolean externalIssuer() {
		return hasText(issuerUri) || hasText(jwkSetUri);
	}

	/** The built-in authorization server (client-credentials only), for the embedded default. */
	public record LocalIssuer(String issuer, @DefaultValue("5m") Duration tokenLifetime, List<Client> clients) {
	}

	public record Client(String clientId, String clientSecret, String organization, String role, List<String> scopes) {
	}

	/** Cross-origin browser access; off unless origins are listed. */
	public record Cors(List<String> allowedOrigins) {
	}

	private static boolean hasText(String s) {
		return s != null && !s.isBlank();
	}
}
