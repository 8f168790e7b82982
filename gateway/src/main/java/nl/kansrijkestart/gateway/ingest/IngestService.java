package nl.kansrijkestart.gateway.ingest;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import ca.uhn.fhir.util.FhirTerser;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import nl.kansrijkestart.gateway.security.OrganizationIdentifier;
import nl.kansrijkestart.gateway.store.ConcurrentWriteException;
import nl.kansrijkestart.gateway.store.ResourceStore;
import nl.kansrijkestart.gateway.store.ResourcesWritten;
import nl.kansrijkestart.gateway.store.SearchIndexer;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Where birth-care data enters: validation of raw request bodies, then atomic writes. A
 * transaction is all-or-nothing; a batch applies each entry on its own. Races with
 * concurrent writers (the same record sent twice at once) are resolved by retrying the
 * whole unit of work against the now-committed state. What was written is announced
 * ({@link ResourcesWritten}) inside the transaction.
 */
@Service
public class IngestService {

	private static final Logger log = LoggerFactory.getLogger(IngestService.class);

	private final ProfileValidator validator;

	private final ProfileCatalog catalog;

	private final ResourceStore store;

	private final SearchIndexer indexer;

	private final ResourceCodec codec;

	private final FhirTerser terser;

	private final TransactionTemplate transactions;

	private final IngestProperties properties;

	private final ApplicationEventPublisher events;

	public IngestService(ProfileValidator validator, ProfileCatalog catalog, ResourceStore store, SearchIndexer indexer,
			ResourceCodec codec, FhirContext fhirContext, TransactionTemplate transactions, IngestProperties properties,
			ApplicationEventPublisher events) {
		this.validator = validator;
		this.catalog = catalog;
		this.store = store;
		this.indexer = indexer;
		this.codec = codec;
		this.terser = fhirContext.newTerser();
		this.transactions = transactions;
		this.properties = properties;
		this.events = events;
	}

	public ValidationReport validate(byte[] body, ProfileValidator.Format format, boolean bundle) {
		return validator.validate(body, format, bundle,
				hashes -> store.alreadyValidated(hashes, catalog.fingerprint()));
	}

	/**
	 * Applies all entries atomically in the organisation's partition; any failure leaves
	 * the database unchanged. {@code inTransaction} sees the outcomes before commit (the
	 * audit record of the write): if it fails, so does the write.
	 */
	public List<EntryOutcome> transaction(List<EntryRequest> entries, OrganizationIdentifier organization,
			Consumer<List<EntryOutcome>> inTransaction) {
		return transaction(entries, organization, null, inTransaction);
	}

	/**
	 * As {@link #transaction(List, OrganizationIdentifier, Consumer)}, for a write
	 * translated from another format.
	 */
	public List<EntryOutcome> transaction(List<EntryRequest> entries, OrganizationIdentifier organization,
			IngestSource source, Consumer<List<EntryOutcome>> inTransaction) {
		return withRetries(() -> transactions.execute(status -> {
			List<EntryOutcome> outcomes = newUnitOfWork(organization, source).execute(entries);
			inTransaction.accept(outcomes);
			List<String> written = outcomes.stream()
				.filter(o -> o.resource() != null)
				.map(o -> o.resourceType() + "/" + o.id())
				.toList();
			if (!written.isEmpty()) {
				events.publishEvent(new ResourcesWritten(written));
			}
			return outcomes;
		}));
	}

	/**
	 * Applies each entry on its own; returns per entry either an outcome or the error
	 * that stopped it.
	 */
	public List<BatchEntryResult> batch(List<EntryRequest> entries, ValidationReport report,
			OrganizationIdentifier organization, Consumer<List<EntryOutcome>> inTransaction) {
		List<BatchEntryResult> results = new ArrayList<>();
		for (EntryRequest entry : entries) {
			OperationOutcome rejected = report == null ? null : IssueOutcomes.forEntry(report, entry.index());
			if (rejected == null && entry.validation() == null) {
				rejected = IssueOutcomes.error("Entry " + entry.index() + " was not validated",
						OperationOutcome.IssueType.PROCESSING);
			}
			if (rejected != null) {
				results.add(new BatchEntryResult(entry.index(), null, 422, rejected));
				continue;
			}
			try {
				EntryOutcome outcome = transaction(List.of(entry), organization, null, inTransaction).get(0);
				results.add(new BatchEntryResult(entry.index(), outcome, outcome.status(), null));
			}
			catch (BaseServerResponseException e) {
				OperationOutcome oo = IssueOutcomes.error(e.getMessage(), e instanceof UnprocessableEntityException
						? OperationOutcome.IssueType.PROCESSING : OperationOutcome.IssueType.INVALID);
				results.add(new BatchEntryResult(entry.index(), null, e.getStatusCode(), oo));
			}
		}
		return results;
	}

	public record BatchEntryResult(int index, EntryOutcome outcome, int status, OperationOutcome error) {
	}

	private UnitOfWork newUnitOfWork(OrganizationIdentifier organization, IngestSource source) {
		return new UnitOfWork(store, indexer, codec, terser, catalog.fingerprint(), organization, source);
	}

	private <T> T withRetries(Supplier<T> work) {
		for (int attempt = 1;; attempt++) {
			try {
				return work.get();
			}
			catch (UnitOfWork.IdentifierTakenException e) {
				// One retry sees what a concurrent writer committed; a conflict that
				// survives it is the client's.
				if (attempt >= 2) {
					throw new ResourceVersionConflictException(e.getMessage());
				}
			}
			catch (DuplicateKeyException | ConcurrentWriteException | TransientDataAccessException e) {
				if (attempt >= properties.transactionRetries()) {
					throw new ResourceVersionConflictException("The same records were being written concurrently and "
							+ "the write could not complete after " + attempt + " attempts; send it again");
				}
				log.debug("Concurrent write detected (attempt {}): {}", attempt, e.getClass().getSimpleName());
			}
		}
	}

	/**
	 * Checks the envelope of a transaction or batch Bundle and turns its entries into
	 * write requests. A batch entry that failed validation has no validation result;
	 * {@link #batch} answers it with its issues.
	 */
	public List<EntryRequest> entries(Bundle bundle, ValidationReport report) {
		List<EntryRequest> entries = new ArrayList<>();
		for (int i = 0; i < bundle.getEntry().size(); i++) {
			Bundle.BundleEntryComponent e = bundle.getEntry().get(i);
			if (!e.hasRequest() || !e.getRequest().hasMethod() || !e.getRequest().hasUrl()) {
				throw new InvalidRequestException("Entry " + i + ": request.method and request.url are required");
			}
			if (!e.hasResource()) {
				throw new InvalidRequestException("Entry " + i + ": a " + e.getRequest().getMethod().toCode()
						+ " entry needs a resource; only POST and PUT are supported");
			}
			entries.add(new EntryRequest(i, e.getRequest().getMethod().toCode(), e.getRequest().getUrl(),
					e.getRequest().getIfNoneExist(), e.getRequest().getIfMatch(), e.getFullUrl(), e.getResource(),
					report.entryIfValidated(i).orElse(null)));
		}
		return entries;
	}

}
