package nl.kansrijkestart.gateway.fhir;

import ca.uhn.fhir.rest.annotation.Transaction;
import ca.uhn.fhir.rest.annotation.TransactionParam;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.PreferReturnEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.RestfulServerUtils;
import nl.kansrijkestart.gateway.ingest.IssueOutcomes;
import nl.kansrijkestart.gateway.ingest.ResourceCodec;
import nl.kansrijkestart.gateway.store.ResourceStore;
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

	private final PublicBaseUrl baseUrl;

	private final ResourceStore store;

	private final ResourceCodec codec;

	TransactionProvider(IngestService ingest, AccessInterceptor access, AuditInterceptor audit, PublicBaseUrl baseUrl,
			ResourceStore store, ResourceCodec codec) {
		this.ingest = ingest;
		this.store = store;
		this.codec = codec;
		this.baseUrl = baseUrl;
		this.access = access;
		this.audit = audit;
	}

	@Transaction
	public Bundle transaction(@TransactionParam Bundle bundle, RequestDetails request) {
		ValidationReport report = WriteRequestInterceptor.report(request);
		List<EntryRequest> entries = ingest.entries(bundle, report);
		entries.forEach(e -> baseUrl.relativiseReferences(e.resource()));
		access.authorizeEntries(request, entries);
		OrganizationIdentifier organization = AccessInterceptor.caller(request).organization();
		PreferReturnEnum prefer = RestfulServerUtils.parsePreferHeader(null, request.getHeader(Constants.HEADER_PREFER))
			.getReturn();
		String partition = AccessInterceptor.partition(request);
		Bundle response = new Bundle();
		if (bundle.getType() == Bundle.BundleType.BATCH) {
			response.setType(Bundle.BundleType.BATCHRESPONSE);
			for (IngestService.BatchEntryResult result : ingest.batch(entries, report, organization,
					audit.forWrite(request))) {
				Bundle.BundleEntryComponent entry = response.addEntry();
				if (result.outcome() != null) {
					describe(entry, result.outcome(), prefer, partition);
				}
				else {
					entry.getResponse()
						.setStatus(result.status() + " " + reason(result.status()))
						.setOutcome(result.error());
				}
			}
		}
		else {
			response.setType(Bundle.BundleType.TRANSACTIONRESPONSE);
			for (EntryOutcome outcome : ingest.transaction(entries, organization, audit.forWrite(request))) {
				describe(response.addEntry(), outcome, prefer, partition);
			}
		}
		return response;
	}

	/**
	 * One response entry; {@code Prefer: return=} decides whether it carries the resource
	 * or an OperationOutcome.
	 */
	private void describe(Bundle.BundleEntryComponent entry, EntryOutcome outcome, PreferReturnEnum prefer,
			String partition) {
		entry.setFullUrl(baseUrl.absolute(outcome.resourceType() + "/" + outcome.id()));
		entry.getResponse()
			.setStatus(outcome.status() + " " + reason(outcome.status()))
			.setLocation(outcome.location())
			.setEtag("W/\"" + outcome.version() + "\"")
			.setLastModified(Date.from(outcome.lastUpdated()));
		if (prefer == PreferReturnEnum.REPRESENTATION) {
			entry.setResource(outcome.resource() != null ? outcome.resource()
					: store.read(outcome.resourceType(), outcome.id(), partition).map(codec::parse).orElse(null));
		}
		else if (prefer == PreferReturnEnum.OPERATION_OUTCOME) {
			entry.getResponse()
				.setOutcome(IssueOutcomes
					.information(outcome.created() ? "Created " + outcome.location() : outcome.resource() == null
							? "Unchanged: " + outcome.location() : "Updated to " + outcome.location()));
		}
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
