package nl.kansrijkestart.gateway.fhir;

import ca.uhn.fhir.rest.annotation.Transaction;
import ca.uhn.fhir.rest.annotation.TransactionParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.util.Date;
import java.util.List;
import nl.kansrijkestart.gateway.ingest.EntryOutcome;
import nl.kansrijkestart.gateway.ingest.EntryRequest;
import nl.kansrijkestart.gateway.ingest.IngestService;
import nl.kansrijkestart.gateway.ingest.ValidationReport;
import nl.kansrijkestart.gateway.security.OrganizationIdentifier;
import org.hl7.fhir.r4.model.Bundle;
import org.springframework.stereotype.Component;

/** POST /fhir with a transaction (atomic) or batch (per entry) Bundle. */
@Component
class TransactionProvider {

	private final IngestService ingest;
	private final AccessInterceptor access;
	private final AuditInterceptor audit;

	TransactionProvider(IngestService ingest, AccessInterceptor access, AuditInterceptor audit) {
		this.ingest = ingest;
		this.access = access;
		this.audit = audit;
	}

	@Transaction
	public Bundle transaction(@TransactionParam Bundle bundle, RequestDetails request) {
		ValidationReport report = WriteRequestInterceptor.report(request);
		List<EntryRequest> entries = ingest.entries(bundle, report);
		access.authorizeEntries(request, entries);
		OrganizationIdentifier organization = AccessInterceptor.caller(request).organization();
		Bundle response = new Bundle();
		if (bundle.getType() == Bundle.BundleType.BATCH) {
			response.setType(Bundle.BundleType.BATCHRESPONSE);
			for (IngestService.BatchEntryResult result : ingest.batch(entries, report, organization, audit.forWrite(request))) {
				Bundle.BundleEntryComponent entry = response.addEntry();
				if (result.outcome() != null) {
					describe(entry, result.outcome());
				} else {
					entry.getResponse().setStatus(result.status() + " " + reason(result.status())).setOutcome(result.error());
				}
			}
		} else {
			response.setType(Bundle.BundleType.TRANSACTIONRESPONSE);
			for (EntryOutcome outcome : ingest.transaction(entries, organization, audit.forWrite(request))) {
				describe(response.addEntry(), outcome);
			}
		}
		return response;
	}

	private static void describe(Bundle.BundleEntryComponent entry, EntryOutcome outcome) {
		entry.setFullUrl(outcome.resourceType() + "/" + outcome.id());
		entry.getResponse()
				.setStatus(outcome.status() + " " + reason(outcome.status()))
				.setLocation(outcome.location())
				.setEtag("W/\"" + outcome.version() + "\"")
				.setLastModified(Date.from(outcome.lastUpdated()));
	}

	private static String reason(int status) {
		return switch (status) {
			case 200 -> "OK";
			case 201 -> "Created";
			case 400 -> "Bad Request";
			case 404 -> "Not Found";
			case 409 -> "Conflict";
			case 412 -> "Precondition Failed";
			case 422 -> "Unprocessable Entity";
			default -> "";
		};
	}
}
