package nl.kansrijkestart.gateway.inbound;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import nl.kansrijkestart.gateway.audit.AuditRecord;
import nl.kansrijkestart.gateway.audit.AuditTrail;
import nl.kansrijkestart.gateway.ingest.EntryOutcome;
import nl.kansrijkestart.gateway.ingest.EntryRequest;
import nl.kansrijkestart.gateway.ingest.IngestService;
import nl.kansrijkestart.gateway.ingest.IngestSource;
import nl.kansrijkestart.gateway.ingest.IssueOutcomes;
import nl.kansrijkestart.gateway.ingest.ProfileValidator;
import nl.kansrijkestart.gateway.ingest.ValidationReport;
import nl.kansrijkestart.gateway.security.AccessDecision;
import nl.kansrijkestart.gateway.security.AccessPolicy;
import nl.kansrijkestart.gateway.security.Caller;
import nl.kansrijkestart.gateway.security.Interaction;
import nl.kansrijkestart.gateway.store.ResourceStore;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.springframework.stereotype.Component;

/**
 * Writes a translated R4 transaction (ks- resources) the way {@code POST /fhir} writes
 * one: the same profile validation on the serialised bundle, the same access rules per
 * entry, one database transaction with its Provenance (which names the source format and
 * maps) and its audit record. Errors are R4 OperationOutcomes whose paths the caller's
 * {@link SourcePaths} rewrites into the sender's own.
 */
@Component
class InboundWriter {

	private final IngestService ingest;

	private final AccessPolicy policy;

	private final AuditTrail trail;

	private final ResourceStore store;

	private final FhirContext fhirContext;

	InboundWriter(IngestService ingest, AccessPolicy policy, AuditTrail trail, ResourceStore store,
			FhirContext fhirContext) {
		this.ingest = ingest;
		this.policy = policy;
		this.trail = trail;
		this.store = store;
		this.fhirContext = fhirContext;
	}

	/**
	 * Where an R4 expression of the translated bundle came from in what the sender sent.
	 */
	interface SourcePaths {

		/**
		 * The sender's path and, where the mapping knows it, the PWD concept, for an R4
		 * expression; null when unknown.
		 */
		String locate(String r4Expression);

	}

	/**
	 * A refused submission in the audit trail, as the R4 door records one: its status,
	 * and the access rule when that refused it. The reasons stay out: they may quote what
	 * was sent (a BSN that failed the elfproef).
	 */
	void recordRefusal(Caller caller, String subtype, BaseServerResponseException refusal, String address) {
		String description = refusal.getStatusCode()
				+ (refusal instanceof ForbiddenOperationException ? " " + refusal.getMessage() : "");
		try {
			trail.record(new AuditRecord(Instant.now(), AuditRecord.Action.C, subtype,
					refusal.getStatusCode() >= 500 ? AuditRecord.Outcome.SERIOUS_FAILURE
							: AuditRecord.Outcome.MINOR_FAILURE,
					description, caller, caller.purposeOfUse(), java.util.Set.of(), List.of(), null, address));
		}
		catch (RuntimeException e) {
			// the submission failed already; a failing audit store must not hide why
			org.slf4j.LoggerFactory.getLogger(InboundWriter.class)
				.error("Could not record a refused {} in the audit trail: {}", subtype, e.getClass().getSimpleName());
		}
	}

	/**
	 * The caller may submit birth-care data at all (a transaction), before anything is
	 * read or translated.
	 */
	AccessDecision authorize(Caller caller) {
		AccessDecision decision = policy.decide(caller, Interaction.TRANSACTION, AccessPolicy.BUNDLE);
		if (!decision.permitted()) {
			throw new ForbiddenOperationException("Access denied: " + decision.reason());
		}
		return decision;
	}

	List<EntryOutcome> write(Bundle transaction, Caller caller, String address, IngestSource source,
			SourcePaths paths) {
		return write(transaction, caller, address, source, paths, outcomes -> {
		});
	}

	/**
	 * As {@link #write(Bundle, Caller, String, IngestSource, SourcePaths)};
	 * {@code alsoInTransaction} commits with it or not at all.
	 */
	List<EntryOutcome> write(Bundle transaction, Caller caller, String address, IngestSource source, SourcePaths paths,
			java.util.function.Consumer<List<EntryOutcome>> alsoInTransaction) {
		authorize(caller);
		byte[] body = fhirContext.newJsonParser().encodeResourceToString(transaction).getBytes(StandardCharsets.UTF_8);
		ValidationReport report = ingest.validate(body, ProfileValidator.Format.JSON, true);
		if (report.malformed() || !report.accepted()) {
			throw new UnprocessableEntityException(fhirContext, located(IssueOutcomes.of(report.issues()), paths));
		}
		// the entries are the bytes just validated, parsed as POST /fhir parses its body:
		// what is stored is what passed
		Bundle parsed = fhirContext.newJsonParser()
			.parseResource(Bundle.class, new String(body, StandardCharsets.UTF_8));
		List<EntryRequest> entries = ingest.entries(parsed, report);
		for (EntryRequest entry : entries) {
			Interaction interaction = entry.method().equals("POST") ? Interaction.CREATE : Interaction.UPDATE;
			AccessDecision decision = policy.decide(caller, interaction, entry.resource().fhirType());
			if (!decision.permitted()) {
				throw new ForbiddenOperationException("Access denied: " + decision.reason());
			}
		}
		try {
			return ingest.transaction(entries, caller.organization(), source, outcomes -> {
				List<String> refs = outcomes.stream().map(o -> o.resourceType() + "/" + o.id()).toList();
				trail.record(new AuditRecord(Instant.now(),
						outcomes.stream().allMatch(EntryOutcome::created) ? AuditRecord.Action.C : AuditRecord.Action.U,
						"transaction", AuditRecord.Outcome.SUCCESS, null, caller, caller.purposeOfUse(),
						store.patientsOf(refs), outcomes.stream().map(EntryOutcome::location).toList(), null, address));
				alsoInTransaction.accept(outcomes);
			});
		}
		catch (UnprocessableEntityException e) {
			UnprocessableEntityException located = new UnprocessableEntityException(e.getMessage());
			located.setOperationOutcome(
					located(IssueOutcomes.error(e.getMessage(), OperationOutcome.IssueType.PROCESSING), paths));
			throw located;
		}
	}

	/**
	 * Each issue names the sender's path first (expression) and keeps the R4 path after
	 * mapping in the text.
	 */
	static OperationOutcome located(OperationOutcome outcome, SourcePaths paths) {
		for (OperationOutcome.OperationOutcomeIssueComponent issue : outcome.getIssue()) {
			String r4 = issue.hasExpression() ? issue.getExpression().get(0).getValue() : null;
			String text = issue.getDiagnostics();
			String source = paths.locate(r4 != null ? r4 : text == null ? "" : text);
			if (source == null) {
				continue;
			}
			issue.getExpression().clear();
			issue.getLocation().clear();
			issue.addExpression(source.split(" ")[0]);
			// ingest's own "Entry n:" names the R4 entry, which the sender's path now
			// replaces
			issue.setDiagnostics("At " + source + ": " + (text == null ? "" : text.replaceFirst("^Entry \\d+: ", ""))
					+ (r4 == null ? "" : " (R4 after mapping: " + r4 + ")"));
		}
		return outcome;
	}

}
