package nl.kansrijkestart.gateway.handover;

import java.time.Instant;
import java.util.UUID;

/**
 * Where one child-and-moment handover stands (table {@code handover}).
 *
 * @param child the child's Patient id (postnatal), or "" (prenatal)
 * @param status {@code parked}, {@code active} or {@code cancelled}
 * @param recipient the JGZ organisation ({@code system|value}) its current document is
 * for
 */
record Handover(UUID id, String mother, String child, HandoverDocuments.Moment moment, String sourceOwner,
		String municipality, String recipient, String status, String statusReason, int version, String contentHash,
		String bundleIdentifier, String documentId, String taskId, Instant acknowledgedAt) {

	static final String PARKED = "parked";
	static final String ACTIVE = "active";
	static final String CANCELLED = "cancelled";

	static Handover start(String mother, String child, HandoverDocuments.Moment moment, String sourceOwner) {
		return new Handover(UUID.randomUUID(), mother, child, moment, sourceOwner, null, null, null, null, 0, null,
				null, null, null, null);
	}

	/** The Patient the handover is about: the child after birth, the mother before. */
	String subject() {
		return child.isEmpty() ? mother : child;
	}

	Handover parked(String municipality, String reason) {
		return new Handover(id, mother, child, moment, sourceOwner, municipality, recipient, PARKED, reason, version,
				contentHash, bundleIdentifier, documentId, taskId, acknowledgedAt);
	}

	Handover cancelled(String reason) {
		return new Handover(id, mother, child, moment, sourceOwner, municipality, recipient, CANCELLED, reason, version,
				contentHash, bundleIdentifier, documentId, taskId, acknowledgedAt);
	}

	Handover sent(String municipality, String recipient, int version, String contentHash, String bundleIdentifier,
			String documentId, String taskId) {
		return new Handover(id, mother, child, moment, sourceOwner, municipality, recipient, ACTIVE, null, version,
				contentHash, bundleIdentifier, documentId, taskId, null);
	}
}
