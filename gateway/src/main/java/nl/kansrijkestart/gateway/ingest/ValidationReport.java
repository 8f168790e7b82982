package nl.kansrijkestart.gateway.ingest;

import java.util.List;

/**
 * The outcome of validating a request body. {@code malformed} means the body could not be
 * read as FHIR at all (a 400); {@code bundleType} is Bundle.type for Bundle requests;
 * otherwise blocking issues mean the content breaks our profiles (a 422).
 */
public record ValidationReport(boolean malformed, String bundleType, List<ValidationIssue> issues,
		List<ValidatedEntry> entries, String fingerprint) {

	public boolean accepted() {
		return !malformed && issues.stream().noneMatch(ValidationIssue::blocks);
	}

	public ValidatedEntry entry(int index) {
		return entryIfValidated(index)
			.orElseThrow(() -> new IllegalStateException("No validation result for entry " + index));
	}

	/**
	 * Empty for an entry that was not validated (a batch entry of a type or kind we do
	 * not accept).
	 */
	public java.util.Optional<ValidatedEntry> entryIfValidated(int index) {
		return entries.stream().filter(e -> e.index() == index).findFirst();
	}
}
