package nl.kansrijkestart.gateway.support;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;

/**
 * Hand-made access tokens for the cases an honest issuer never produces: expired,
 * foreign, tampered.
 */
public final class Tokens {

	private final NimbusJwtEncoder encoder;

	private final String issuer;

	private final String audience;

	public Tokens(JWKSource<SecurityContext> keys, String issuer, String audience) {
		this.encoder = new NimbusJwtEncoder(keys);
		this.issuer = issuer;
		this.audience = audience;
	}

	/**
	 * Signed with a key nobody configured, under a new key id each time (one stranger's
	 * key: generating an RSA key per token took a second each in the tests' JVMs).
	 */
	public static Tokens withUnknownKey(String issuer, String audience) {
		RSAKey key = new RSAKey.Builder(Stranger.KEY).keyID(UUID.randomUUID().toString()).build();
		return new Tokens(new ImmutableJWKSet<>(new JWKSet(key)), issuer, audience);
	}

	/** Made when first needed. */
	private static final class Stranger {

		static final RSAKey KEY = generate();

		private static RSAKey generate() {
			try {
				return new RSAKeyGenerator(2048).generate();
			}
			catch (com.nimbusds.jose.JOSEException e) {
				throw new IllegalStateException(e);
			}
		}

	}

	/**
	 * A token like the issuer's for a submitter of 90363101, with the given changes to
	 * its claims.
	 */
	public String token(Map<String, Object> overrides) {
		Instant now = Instant.now();
		JwtClaimsSet.Builder claims = JwtClaimsSet.builder()
			.issuer(issuer)
			.audience(List.of(audience))
			.subject("vsv-a")
			.claim("client_id", "vsv-a")
			.issuedAt(now)
			.notBefore(now)
			.expiresAt(now.plusSeconds(300))
			.id(UUID.randomUUID().toString())
			.claim("organization", "http://fhir.nl/fhir/NamingSystem/ura|90363101")
			.claim("role", "birth-care-submitter")
			.claim("scope", List.of("system/Bundle.write", "system/*.read", "system/*.write"));
		overrides.forEach((name, value) -> {
			if (value == null) {
				claims.claims(c -> c.remove(name));
			}
			else {
				claims.claim(name, value);
			}
		});
		return encoder
			.encode(JwtEncoderParameters.from(JwsHeader.with(SignatureAlgorithm.RS256).build(), claims.build()))
			.getTokenValue();
	}

	/**
	 * The token with one character of its payload changed: the signature no longer
	 * matches.
	 */
	public static String tampered(String token) {
		String[] parts = token.split("\\.");
		String payload = new String(java.util.Base64.getUrlDecoder().decode(parts[1]),
				java.nio.charset.StandardCharsets.UTF_8)
			.replace("90363101", "90599101");
		return parts[0] + "."
				+ java.util.Base64.getUrlEncoder()
					.withoutPadding()
					.encodeToString(payload.getBytes(java.nio.charset.StandardCharsets.UTF_8))
				+ "." + parts[2];
	}

}
