package nl.kansrijkestart.gateway.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.RestfulServerUtils;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import ca.uhn.fhir.context.FhirContext;
import java.util.Set;
import nl.kansrijkestart.gateway.ingest.IngestService;
import nl.kansrijkestart.gateway.ingest.IssueOutcomes;
import nl.kansrijkestart.gateway.ingest.ProfileValidator;
import nl.kansrijkestart.gateway.ingest.ValidationIssue;
import nl.kansrijkestart.gateway.ingest.ValidationReport;
import org.springframework.stereotype.Component;

/**
 * Validates every write against our profiles on the raw body, before HAPI parses it: the
 * parser stops at the first bad code, the validator reports them all. Runs after
 * {@link AccessInterceptor}: a caller that may not write costs no validation.
 */
@Component
@Interceptor
class WriteRequestInterceptor {

	private static final String REPORT = WriteRequestInterceptor.class.getName() + ".report";

	private static final Set<RestOperationTypeEnum> WRITES = Set.of(RestOperationTypeEnum.CREATE,
			RestOperationTypeEnum.UPDATE, RestOperationTypeEnum.TRANSACTION, RestOperationTypeEnum.BATCH);

	private final IngestService ingest;

	private final FhirContext fhirContext;

	WriteRequestInterceptor(IngestService ingest, FhirContext fhirContext) {
		this.ingest = ingest;
		this.fhirContext = fhirContext;
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public boolean validateWrite(RequestDetails request) {
		if (!WRITES.contains(request.getRestOperationType())) {
			return true;
		}
		EncodingEnum encoding = RestfulServerUtils.determineRequestEncodingNoDefault(request);
		boolean bundle = request.getRestOperationType() == RestOperationTypeEnum.TRANSACTION
				|| request.getRestOperationType() == RestOperationTypeEnum.BATCH;
		ValidationReport report = ingest.validate(request.loadRequestContents(),
				encoding == EncodingEnum.XML ? ProfileValidator.Format.XML : ProfileValidator.Format.JSON, bundle);
		if (report.malformed()) {
			InvalidRequestException e = new InvalidRequestException("The request body could not be read");
			e.setOperationOutcome(IssueOutcomes.of(report.issues()));
			throw e;
		}
		if (bundle && !"transaction".equals(report.bundleType()) && !"batch".equals(report.bundleType())) {
			throw new InvalidRequestException(
					"Only Bundles of type transaction or batch can be posted to the base; got " + report.bundleType());
		}
		// A batch applies entries independently: only problems outside the entries reject
		// it as a whole.
		boolean rejected = "batch".equals(report.bundleType())
				? report.issues().stream().anyMatch(i -> i.blocks() && !isEntryIssue(i)) : !report.accepted();
		if (rejected) {
			throw new UnprocessableEntityException(fhirContext, IssueOutcomes.of(report.issues()));
		}
		request.getUserData().put(REPORT, report);
		return true;
	}

	private static boolean isEntryIssue(ValidationIssue issue) {
		return issue.expression() != null && issue.expression().startsWith("Bundle.entry[");
	}

	static ValidationReport report(RequestDetails request) {
		return (ValidationReport) request.getUserData().get(REPORT);
	}

}
