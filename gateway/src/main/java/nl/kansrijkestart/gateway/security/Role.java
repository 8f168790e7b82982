package nl.kansrijkestart.gateway.security;

import java.util.Arrays;
import java.util.Optional;

/** What kind of system calls: the role claim of its token. */
public enum Role {

	BIRTH_CARE_SUBMITTER("birth-care-submitter"), JGZ_RECEIVER("jgz-receiver"), MONITORING_READER("monitoring-reader"),
	ADMINISTRATOR("administrator");

	private final String claim;

	Role(String claim) {
		this.claim = claim;
	}

	public String claim() {
		return claim;
	}

	public static Optional<Role> fromClaim(String value) {
		return Arrays.stream(values()).filter(r -> r.claim.equals(value)).findFirst();
	}

}
