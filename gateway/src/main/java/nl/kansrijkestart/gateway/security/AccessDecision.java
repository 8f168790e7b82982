package nl.kansrijkestart.gateway.security;

/**
 * The answer to "may this caller do this?": callers act on it, tests assert on it, the
 * audit trail records its reason. {@code partition} confines a permitted caller to the
 * resources of one organisation (null = none).
 */
public record AccessDecision(boolean permitted, String reason, String basis, OrganizationIdentifier partition) {

	static AccessDecision permit(String basis, OrganizationIdentifier partition) {
		return new AccessDecision(true, "permitted", basis, partition);
	}

	static AccessDecision deny(String reason, String basis) {
		return new AccessDecision(false, reason, basis, null);
	}
}
