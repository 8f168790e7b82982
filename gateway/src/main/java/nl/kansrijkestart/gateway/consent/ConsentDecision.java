package nl.kansrijkestart.gateway.consent;

import java.time.Instant;
import java.util.List;

/**
 * The answer to "may this person's data be used for this purpose, by this recipient, at
 * this moment?". Callers act on {@link #permitted()}, which is false for both deny and
 * unknown (fail closed); the decision log and the {@code $consent-decision} operation
 * show the rest.
 *
 * @param patient the person decided for, as {@code Patient/id}
 * @param recipient the receiving organisation as {@code system|value}, or null when the
 * purpose has none (monitoring)
 * @param ground why, as a code tests and the log can rely on; {@code reason} says it in
 * words
 * @param basis the consents the decision rests on: {@code Consent/id} for recorded ones,
 * the registry's URL for the registry's; empty when no consent applies
 */
public record ConsentDecision(String patient, Purpose purpose, String recipient, Instant at, Outcome outcome,
		Ground ground, String reason, List<String> basis) {

	public enum Outcome {

		PERMIT, DENY, UNKNOWN

	}

	public enum Ground {

		/** the latest applicable consent permits */
		LATEST_PERMIT,
		/** the latest applicable consent denies */
		LATEST_DENY,
		/** a permit and a deny of the same moment: deny wins */
		DENY_WINS_TIE,
		/** no consent applies and the purpose needs a permit (opt-in) */
		NO_PERMIT,
		/**
		 * no consent applies and the purpose counts everyone who did not object (opt-out)
		 */
		NO_OBJECTION,
		/**
		 * a consent source could not be consulted: nobody knows, so nothing is allowed
		 */
		SOURCE_UNAVAILABLE

	}

	public ConsentDecision {
		basis = List.copyOf(basis);
	}

	public boolean permitted() {
		return outcome == Outcome.PERMIT;
	}
}
