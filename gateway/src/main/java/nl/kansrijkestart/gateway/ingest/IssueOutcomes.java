package nl.kansrijkestart.gateway.ingest;

import java.util.List;
import org.hl7.fhir.r4.model.OperationOutcome;

/** Renders validation issues as OperationOutcomes. */
public final class IssueOutcomes {

	private IssueOutcomes() {
	}

	public static OperationOutcome of(List<ValidationIssue> issues) {
		OperationOutcome oo = new OperationOutcome();
		for (ValidationIssue issue : issues) {
			OperationOutcome.OperationOutcomeIssueComponent c = oo.addIssue().setSeverity(switch (issue.severity()) {
				case FATAL -> OperationOutcome.IssueSeverity.FATAL;
				case ERROR -> OperationOutcome.IssueSeverity.ERROR;
				case WARNING -> OperationOutcome.IssueSeverity.WARNING;
				case INFORMATION -> OperationOutcome.IssueSeverity.INFORMATION;
			}).setCode(issueType(issue.code())).setDiagnostics(issue.message());
			if (issue.expression() != null) {
				c.addExpression(issue.expression());
			}
			if (issue.line() > 0) {
				c.addLocation("Line[" + issue.line() + "] Col[" + issue.column() + "]");
			}
		}
		return oo;
	}

	/** The blocking issues of one entry of a batch, or null when it has none. */
	static OperationOutcome forEntry(ValidationReport report, int index) {
		String prefix = "Bundle.entry[" + index + "]";
		List<ValidationIssue> issues = report.issues()
			.stream()
			.filter(i -> i.expression() != null
					&& (i.expression().equals(prefix) || i.expression().startsWith(prefix + ".")))
			.toList();
		return issues.stream().anyMatch(ValidationIssue::blocks) ? of(issues) : null;
	}

	public static OperationOutcome information(String message) {
		OperationOutcome oo = new OperationOutcome();
		oo.addIssue()
			.setSeverity(OperationOutcome.IssueSeverity.INFORMATION)
			.setCode(OperationOutcome.IssueType.INFORMATIONAL)
			.setDiagnostics(message);
		return oo;
	}

	public static OperationOutcome error(String message, OperationOutcome.IssueType type) {
		OperationOutcome oo = new OperationOutcome();
		oo.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR).setCode(type).setDiagnostics(message);
		return oo;
	}

	private static OperationOutcome.IssueType issueType(String code) {
		try {
			return OperationOutcome.IssueType.fromCode(code);
		}
		catch (Exception e) {
			return OperationOutcome.IssueType.INVALID;
		}
	}

}
