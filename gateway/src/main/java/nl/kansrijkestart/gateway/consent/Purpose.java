package nl.kansrijkestart.gateway.consent;

import java.util.Arrays;
import java.util.Optional;

/**
 * What data may be used for, as v3-ActReason codes: a mother decides on each separately,
 * and a withdrawal of one leaves the other as it was.
 */
public enum Purpose {

	/**
	 * Handover to the JGZ organisation of her municipality (treatment). Always opt-in.
	 */
	HANDOVER("TREAT", "treatment", "handover to JGZ"),
	/**
	 * Counting in the Kansrijke Start monitoring statistics (public health). Opt-in
	 * unless configured opt-out.
	 */
	MONITORING("PUBHLTH", "public health", "monitoring");

	public static final String SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActReason";

	private final String code;

	private final String display;

	private final String description;

	Purpose(String code, String display, String description) {
		this.code = code;
		this.display = display;
		this.description = description;
	}

	/** The code as a Coding, with the code system's own display. */
	public org.hl7.fhir.r4.model.Coding coding() {
		return new org.hl7.fhir.r4.model.Coding(SYSTEM, code, display);
	}

	/** The v3-ActReason code. */
	public String code() {
		return code;
	}

	/** What the purpose means here, for explanations. */
	public String description() {
		return description;
	}

	/**
	 * From a v3-ActReason code ({@code TREAT} or {@code PUBHLTH}, optionally prefixed
	 * with the system and a bar).
	 */
	public static Optional<Purpose> fromCode(String value) {
		if (value == null) {
			return Optional.empty();
		}
		String code = value.startsWith(SYSTEM + "|") ? value.substring(SYSTEM.length() + 1) : value;
		return Arrays.stream(values()).filter(p -> p.code.equals(code)).findFirst();
	}

}
