package nl.kansrijkestart.gateway.store;

import java.util.List;

/**
 * Published inside the transaction that stores new versions ({@code Type/id} of each),
 * before it commits: a listener that records something durable in the same transaction
 * commits or rolls back with the write.
 */
public record ResourcesWritten(List<String> references) {

	public ResourcesWritten {
		references = List.copyOf(references);
	}

	public List<String> ofType(String type) {
		return references.stream().filter(r -> r.startsWith(type + "/")).toList();
	}
}
