package nl.kansrijkestart.gateway.security;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.OperationOutcome;

/** OperationOutcome responses written outside HAPI (servlet filter level). */
public final class OperationOutcomes {

	private OperationOutcomes() {
	}

	public static void write(HttpServletResponse response, int status, String code, String message) throws IOException {
		OperationOutcome oo = new OperationOutcome();
		oo.addIssue()
			.setSeverity(OperationOutcome.IssueSeverity.ERROR)
			.setCode(OperationOutcome.IssueType.fromCode(code))
			.setDiagnostics(message);
		response.setStatus(status);
		response.setContentType("application/fhir+json;charset=UTF-8");
		response.getOutputStream()
			.write(FhirContext.forR4Cached()
				.newJsonParser()
				.encodeResourceToString(oo)
				.getBytes(StandardCharsets.UTF_8));
	}

}
