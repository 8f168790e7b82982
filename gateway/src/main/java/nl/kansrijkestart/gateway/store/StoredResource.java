package nl.kansrijkestart.gateway.store;

import java.time.Instant;

/**
 * One stored version of a resource, as JSON text (the JSONB column rendered), and the
 * partition it is in.
 */
public record StoredResource(String resourceType, String id, long version, Instant lastUpdated, String profile,
		String json, String contentHash, String owner) {
}
