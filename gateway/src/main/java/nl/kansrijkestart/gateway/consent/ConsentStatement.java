package nl.kansrijkestart.gateway.consent;

import java.time.Instant;
import java.util.Set;

/**
 * One consent as the rules see it, whatever its source: a Consent a birth-care system
 * sent, or one the national registry holds.
 *
 * @param reference {@code Consent/id} for a recorded consent, the registry's full URL for
 * a registry consent
 * @param actors organisations ({@code system|value}) the provision is limited to; empty =
 * any recipient
 * @param periodStart first instant the provision covers, null = open
 * @param periodEnd last instant the provision covers, null = open
 */
record ConsentStatement(String reference, Source source, Status status, Instant dateTime, boolean permit,
		Set<Purpose> purposes, Set<String> actors, Instant periodStart, Instant periodEnd) {

	enum Source {

		RECORDED, REGISTRY

	}

	/**
	 * Consent.status values the profile allows; anything else from the registry is read
	 * as inactive.
	 */
	enum Status {

		ACTIVE, INACTIVE, ENTERED_IN_ERROR

	}

	ConsentStatement {
		purposes = Set.copyOf(purposes);
		actors = Set.copyOf(actors);
	}
}
