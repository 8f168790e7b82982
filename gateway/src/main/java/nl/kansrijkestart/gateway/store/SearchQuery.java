package nl.kansrijkestart.gateway.store;

import java.time.Instant;
import java.util.List;

/**
 * A parsed search: criteria are AND-ed; the values inside one criterion are OR-ed.
 * {@code owner} confines the search to one organisation's partition (null: all).
 */
public record SearchQuery(String resourceType, String owner, List<Criterion> criteria, boolean newestFirst, int offset,
		int count) {

	public sealed interface Criterion permits Ids, Tokens, References, DateRange, LastUpdated {

	}

	public record Ids(List<String> ids) implements Criterion {
	}

	/** system null = any system; code null = any code of that system. */
	public record TokenValue(String system, String code) {
	}

	public record Tokens(String param, List<TokenValue> anyOf) implements Criterion {
	}

	public record ReferenceValue(String targetType, String targetId) {
	}

	public record References(String param, List<ReferenceValue> anyOf) implements Criterion {
	}

	/**
	 * Resources whose date span for {@code param} intersects [from, to]; either bound may
	 * be null.
	 */
	public record DateRange(String param, Instant from, Instant to) implements Criterion {
	}

	public record LastUpdated(Instant from, Instant to) implements Criterion {
	}
}
