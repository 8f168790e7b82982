package nl.kansrijkestart.gateway.consent;

import java.util.Arrays;
import java.util.Optional;

/**
 * What data may be used for, as v3-ActReason codes: a mother decides on each separately, and a withdrawal of one leaves
 * the other as it was.
 */
public enum Purpose {
	/** Handover to the JGZ organisation of her municipality (treatment). Always opt-in. */
	HANDOVER("TREAT", "handover to JGZ"),
	/** Counting in the Kansrijke Start monitoring statistics (public health). Opt-in unless configured opt-out. */
	MONITORING("PUBHLTH", "monitoring");

	public static final String SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActReason";

	private final String code;
	private final String description;

	Purpose(String code, String description) {
		this.code = code;
		this.description = description;
	}

	/** The v3-ActReason code. */
	public String code() {
		return code;
	}

	public String description() {
		return description;
	}

	/** From a v3-ActReason code ({@code TREAT} or {@code PUBHLTH}, optionally prefixed with the system and a bar). */
	public static Optional<Purpose> fromCode(String value) {
		if (value == null) {
			return Optional.empty();
		}
		String code = value.startsWith(SYSTEM + "|") ? value.substring(SYSTEM.length() + 1) : value;
		return Arrays.stream(values()).filter(p -> p.code.equals(code)).findFirst();
	}
}
