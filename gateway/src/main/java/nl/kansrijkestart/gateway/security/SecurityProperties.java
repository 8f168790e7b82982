package nl.kansrijkestart.gateway.security;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code gateway.security}: where tokens come from and what they must say. With neither
 * {@code issuer-uri} nor {@code jwk-set-uri} set, the gateway issues tokens itself to the
 * clients of {@code local-issuer}. {@code jwks-min-refetch-interval}: the external
 * issuer's keys are fetched at most this often, however many tokens with unknown key ids
 * arrive (a signing-key rotation is picked up after at most this long).
 */
@ConfigurationProperties("gateway.security")
public record SecurityProperties(String issuerUri, String jwkSetUri,
		@DefaultValue("kansrijke-start-gateway") String audience, @DefaultValue("30s") Duration clockSkew,
		@DefaultValue("organization") String organizationClaim, @DefaultValue("role") String roleClaim,
		LocalIssuer localIssuer, @DefaultValue Cors cors, @DefaultValue("30s") Duration jwksMinRefetchInterval) {

	public boolean externalIssuer() {
		return hasText(issuerUri) || hasText(jwkSetUri);
	}

	/**
	 * The built-in authorization server, for the embedded default: client credentials for
	 * {@code clients}, and for {@code users} a sign-in form and the authorization code
	 * with PKCE to the public client {@code dashboard}.
	 */
	public record LocalIssuer(String issuer, @DefaultValue("5m") Duration tokenLifetime, List<Client> clients,
			List<User> users, @DefaultValue Dashboard dashboard) {
	}

	/**
	 * A person who signs in (a demo user): the organisation and role their tokens carry.
	 */
	public record User(String username, String password, String organization, String role) {
	}

	/**
	 * The dashboard as a public OAuth2 client: no secret, PKCE required. Redirect URIs on
	 * 127.0.0.1 match whatever the port (RFC 8252); others exactly.
	 */
	public record Dashboard(@DefaultValue("monitoring-dashboard") String clientId, List<String> redirectUris,
			@DefaultValue( {
					"user/Measure.read", "user/MeasureReport.read" }) List<String> scopes){
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
