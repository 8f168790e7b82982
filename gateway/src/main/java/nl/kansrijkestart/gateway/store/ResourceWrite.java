package nl.kansrijkestart.gateway.store;

import java.time.Instant;

/**
 * One new resource version to store. {@code expectedVersion} is the current version the
 * write was computed against (0 for a new resource): if another writer got there first,
 * the write fails with {@link ConcurrentWriteException} and the caller recomputes.
 * {@code owner} is the partition (organisation) of a new resource; an update keeps the
 * resource's partition.
 */
public record ResourceWrite(String resourceType, String id, long version, long expectedVersion, Instant lastUpdated,
		String method, String profile, String json, String contentHash, String sourceHash, String validatedWith,
		IndexEntries index, String owner) {

	public boolean isCreate() {
		return expectedVersion == 0;
	}
}
