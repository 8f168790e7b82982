package nl.kansrijkestart.gateway.store;

import java.util.Set;

/**
 * The mothers (Patient ids) whose records a write changed, directly or through their
 * children: published with the {@link ResourcesWritten} it derives from, inside the same
 * transaction, for whatever is derived per mother (handovers, monitoring facts). Worked
 * out once per write, however many listen.
 */
public record MothersAffected(Set<String> mothers) {

	public MothersAffected {
		mothers = Set.copyOf(mothers);
	}
}
