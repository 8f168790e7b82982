package nl.kansrijkestart.gateway.audit;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import nl.kansrijkestart.gateway.security.Caller;

/**
 * One access to record (NEN 7513): who ({@code caller}, null for the gateway itself), on
 * whose behalf (in the caller), which persons ({@code patients}: Patient ids), what
 * ({@code action}, {@code subtype}, {@code entities}), when, with what outcome, and why
 * ({@code purposeOfUse}, v3-ActReason). {@code query} must already be free of
 * identifiers; {@code sourceAddress} is the client's network address.
 */
public record AuditRecord(Instant recorded, Action action, String subtype, Outcome outcome, String outcomeDescription,
		Caller caller, String purposeOfUse, Set<String> patients, List<String> entities, String query,
		String sourceAddress) {

	/** AuditEvent.action */
	public enum Action {

		C, R, U, D, E

	}

	/**
	 * AuditEvent.outcome: 0 success, 4 minor failure (refused request), 8 serious
	 * failure, 12 major failure.
	 */
	public enum Outcome {

		SUCCESS(0), MINOR_FAILURE(4), SERIOUS_FAILURE(8);

		private final int code;

		Outcome(int code) {
			this.code = code;
		}

		public int code() {
			return code;
		}

	}
}
