package nl.kansrijkestart.gateway.store;

import java.time.Instant;
import java.util.List;

/**
 * What one resource version contributes to the search index tables and the identifier
 * constraint.
 */
public record IndexEntries(List<Token> tokens, List<Ref> references, List<DateSpan> dates,
		List<Identifier> identifiers) {

	public record Token(String param, String system, String code) {
	}

	public record Ref(String param, String targetType, String targetId) {
	}

	public record DateSpan(String param, Instant low, Instant high) {
	}

	/** A business identifier, unique per resource type. */
	public record Identifier(String system, String value) {
	}
}
