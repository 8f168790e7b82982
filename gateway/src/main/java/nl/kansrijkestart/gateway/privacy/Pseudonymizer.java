package nl.kansrijkestart.gateway.privacy;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keyed pseudonyms (HMAC-SHA-256 with a secret): the same person gets the same pseudonym
 * within one domain, and nobody without the secret can go back to the BSN or link
 * pseudonyms of different domains (audit trail vs monitoring).
 */
public final class Pseudonymizer {

	public static final String NAMING_SYSTEM = "https://kansrijkestart.nl/fhir/NamingSystem/person-pseudonym";

	/**
	 * Where pseudonyms are used; each domain has its own pseudonyms for the same person.
	 */
	public enum Domain {

		AUDIT, MONITORING

	}

	private final byte[] secret;

	public Pseudonymizer(byte[] secret) {
		if (secret.length < 16) {
			throw new IllegalArgumentException("The pseudonym secret must be at least 16 bytes");
		}
		this.secret = secret.clone();
	}

	/** The pseudonym of a BSN in a domain: 64 hex characters. */
	public String pseudonym(Domain domain, String bsn) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(secret, "HmacSHA256"));
			mac.update(domain.name().getBytes(StandardCharsets.US_ASCII));
			mac.update((byte) 0);
			return HexFormat.of().formatHex(mac.doFinal(bsn.getBytes(StandardCharsets.US_ASCII)));
		}
		catch (NoSuchAlgorithmException | InvalidKeyException e) {
			throw new IllegalStateException("HMAC-SHA-256 is not available", e);
		}
	}

}
