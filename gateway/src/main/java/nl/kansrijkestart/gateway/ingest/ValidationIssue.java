package nl.kansrijkestart.gateway.ingest;

/**
 * One problem found in a request body; {@code expression} is a FHIRPath into the request
 * body.
 */
public record ValidationIssue(Severity severity, String code, String message, String expression, int line, int column) {

	public enum Severity {

		FATAL, ERROR, WARNING, INFORMATION;

		boolean blocks() {
			return this == FATAL || this == ERROR;
		}

	}

	public boolean blocks() {
		return severity.blocks();
	}
}
