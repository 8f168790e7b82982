package nl.kansrijkestart.gateway.handover;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import nl.kansrijkestart.gateway.consent.ConsentDecision;
import nl.kansrijkestart.gateway.consent.ConsentService;
import nl.kansrijkestart.gateway.consent.Purpose;
import nl.kansrijkestart.gateway.store.BirthCareRecord;
import nl.kansrijkestart.gateway.store.BirthCareRecords;
import nl.kansrijkestart.gateway.store.ResourceStore;
import nl.kansrijkestart.gateway.store.StoredResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Task;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Lazy;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Decides, for one mother at a time, which handovers should exist now and makes it so: a
 * prenatal handover as soon as handover is permitted, a postnatal one per live-born
 * child, each routed by the mother's municipality. New or corrected data make an amended
 * document version; a withdrawal cancels what has not been acknowledged; a move reroutes;
 * an unknown municipality parks. Called from the handover queue's poller, inside its
 * transaction.
 */
@Service
public class HandoverService {

	private static final Logger log = LoggerFactory.getLogger(HandoverService.class);
	static final String TASK_PROFILE = HandoverDocuments.PROFILE + "ks-handover-task";
	static final String DOCUMENT_PROFILE = HandoverDocuments.PROFILE + "ks-handover-document";

	private static final String BSN = "http://fhir.nl/fhir/NamingSystem/bsn";

	private final BirthCareRecords records;

	private final HandoverDocuments documents;

	private final HandoverRepository repository;

	private final JgzRouting routing;

	private final JgzResources jgz;

	private final ConsentService consent;

	private final ResourceStore store;

	private final FhirContext fhirContext;

	private final MeterRegistry meters;

	private final TransactionTemplate transactions;

	private final HandoverTriggers triggers;

	private final ApplicationEventPublisher events;

	HandoverService(BirthCareRecords records, HandoverDocuments documents, HandoverRepository repository,
			JgzRouting routing, JgzResources jgz, ConsentService consent, ResourceStore store, FhirContext fhirContext,
			MeterRegistry meters, JdbcTemplate jdbc, TransactionTemplate transactions, @Lazy HandoverTriggers triggers,
			ApplicationEventPublisher events) {
		this.events = events;
		this.transactions = transactions;
		this.triggers = triggers;
		this.records = records;
		this.documents = documents;
		this.repository = repository;
		this.routing = routing;
		this.jgz = jgz;
		this.consent = consent;
		this.store = store;
		this.fhirContext = fhirContext;
		this.meters = meters;
		Gauge
			.builder("gateway.handover.parked",
					() -> jdbc.queryForObject("select count(*) from handover where status = 'parked'", Long.class))
			.description("handovers waiting for a JGZ organisation for their municipality")
			.register(meters);
	}

	/** Brings one mother's handovers up to date. */
	void check(String motherId) {
		meters.timer("gateway.handover.check").record(() -> checkNow(motherId));
	}

	private void checkNow(String motherId) {
		repository.lock(motherId);
		Optional<BirthCareRecords.Loaded> loaded = records.load(motherId);
		if (loaded.isEmpty()) {
			return;
		}
		Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
		BirthCareRecords.Loaded l = loaded.get();
		List<Handover> existing = repository.ofMother(motherId);
		Optional<JgzRouting.Route> route = routing.route(l.municipality());
		process(l, null, existing, route, now);
		for (BirthCareRecord.Birth birth : l.record().births()) {
			if (birth.live()) {
				process(l, birth, existing, route, now);
			}
			else {
				find(existing, HandoverDocuments.Moment.POSTNATAL, idOf(birth.child()))
					.ifPresent(h -> cancel(h, "stillbirth: there is no postnatal handover", now));
			}
		}
	}

	private void process(BirthCareRecords.Loaded l, BirthCareRecord.Birth birth, List<Handover> existing,
			Optional<JgzRouting.Route> route, Instant now) {
		HandoverDocuments.Moment moment = birth == null ? HandoverDocuments.Moment.PRENATAL
				: HandoverDocuments.Moment.POSTNATAL;
		String motherId = idOf(l.record().mother());
		String childId = birth == null ? "" : idOf(birth.child());
		Optional<Handover> current = find(existing, moment, childId);
		Handover h = current.orElseGet(() -> Handover.start(motherId, childId, moment, l.owner()));
		String subject = h.subject();
		boolean active = current.isPresent() && Handover.ACTIVE.equals(h.status());
		if (route.isEmpty()) {
			// Parked only when it would otherwise go out: a general permit is needed for
			// that too.
			if (!consent.decide(subject, Purpose.HANDOVER, null, now).map(ConsentDecision::permitted).orElse(false)) {
				current.ifPresent(x -> cancelIfOpen(x, "no handover permit", now));
				return;
			}
			if (active) {
				cancelTask(h, "the mother's municipality " + l.municipality() + " has no JGZ organisation", now);
			}
			if (!current.map(x -> Handover.PARKED.equals(x.status())).orElse(false)) {
				log.info("Handover {} parked: no JGZ organisation for municipality {}", h.id(), l.municipality());
			}
			repository.save(h.parked(l.municipality(), "no JGZ organisation for municipality " + l.municipality()),
					now);
			return;
		}
		JgzRouting.Route to = route.get();
		Optional<ConsentDecision> decided = consent.decide(subject, Purpose.HANDOVER, to.organization(), now);
		if (decided.isEmpty()) {
			// The record went while we looked (a retention purge): nothing to hand over.
			return;
		}
		ConsentDecision decision = decided.get();
		if (!decision.permitted()) {
			current.ifPresent(x -> cancelIfOpen(x, "consent: " + decision.reason(), now));
			return;
		}
		boolean sameRecipient = active && to.organization().equals(h.recipient());
		int version = h.version() + 1;
		HandoverDocuments.Identity identity = new HandoverDocuments.Identity(h.id(), version,
				sameRecipient ? h.bundleIdentifier() : null, now);
		Bundle document = birth == null ? documents.prenatal(l.record(), identity)
				: documents.postnatal(l.record(), birth, identity);
		String hash = documents.contentHash(document);
		if (sameRecipient && hash.equals(h.contentHash())) {
			return;
		}
		if (active && !sameRecipient) {
			withdrawFromRecipient(h, "rerouted to " + to.name() + " (municipality " + l.municipality() + ")", now);
		}
		else if (sameRecipient) {
			supersedeTask(h, version, now);
		}
		List<String> persons = birth == null ? List.of("Patient/" + motherId)
				: List.of("Patient/" + childId, "Patient/" + motherId);
		String documentId = jgz.create(document, DOCUMENT_PROFILE, to.organization(), persons, now);
		ConsentDecision gated = consent
			.gate(subject, Purpose.HANDOVER, to.organization(), now,
					"Bundle/" + documentId + " (" + moment.code() + " handover, version " + version + ")")
			.orElseThrow();
		Task task = task(h, moment, subject, birth == null ? l.record().mother() : birth.child(), l, to, documentId,
				gated, now);
		String taskId = jgz.create(task, TASK_PROFILE, to.organization(), List.of(), now);
		Handover sent = h.sent(l.municipality(), to.organization(), version, hash, identity.bundleIdentifier(),
				documentId, taskId);
		repository.save(sent, now);
		events.publishEvent(new HandoverChanged(h.mother()));
		if (to.endpoint() != null) {
			repository.enqueueDelivery(sent, to.endpoint(), now);
		}
		meters
			.counter("gateway.handover.documents", "moment", moment.code(), "kind",
					version == 1 ? "first" : "amendment")
			.increment();
	}

	private Task task(Handover h, HandoverDocuments.Moment moment, String subject, Patient person,
			BirthCareRecords.Loaded l, JgzRouting.Route to, String documentId, ConsentDecision decision, Instant now) {
		Task t = new Task();
		t.getMeta().addProfile(TASK_PROFILE);
		t.setGroupIdentifier(
				new Identifier().setSystem(HandoverDocuments.HANDOVER_SYSTEM).setValue("urn:uuid:" + h.id()));
		t.setStatus(Task.TaskStatus.REQUESTED);
		t.setIntent(Task.TaskIntent.ORDER);
		t.setCode(new CodeableConcept(new Coding(HandoverDocuments.MOMENT_SYSTEM, "handover", "Handover to JGZ")));
		t.setReasonCode(new CodeableConcept(new Coding(HandoverDocuments.MOMENT_SYSTEM, moment.code(), null)));
		t.setFocus(new Reference("Bundle/" + documentId));
		Reference forPerson = new Reference("Patient/" + subject);
		person.getIdentifier()
			.stream()
			.filter(i -> BSN.equals(i.getSystem()))
			.findFirst()
			.ifPresent(bsn -> forPerson.setIdentifier(new Identifier().setSystem(BSN).setValue(bsn.getValue())));
		t.setFor(forPerson);
		t.setAuthoredOn(Date.from(now));
		t.setLastModified(Date.from(now));
		var author = l.record().author();
		t.setRequester(
				new Reference().setIdentifier(author.getIdentifierFirstRep().copy()).setDisplay(author.getName()));
		String[] org = to.organization().split("\\|", 2);
		t.setOwner(new Reference().setIdentifier(new Identifier().setSystem(org[0]).setValue(org[1]))
			.setDisplay(to.name()));
		t.setBusinessStatus(
				new CodeableConcept().setText(to.endpoint() == null ? "awaiting pickup" : "awaiting delivery"));
		t.addInput()
			.setType(new CodeableConcept(
					new Coding(HandoverDocuments.MOMENT_SYSTEM, "consent-decision", "Consent decision")))
			.setValue(new StringType(
					decision.outcome().name().toLowerCase(java.util.Locale.ROOT) + ": " + decision.reason()
							+ (decision.basis().isEmpty() ? "" : " (" + String.join(", ", decision.basis()) + ")")));
		return t;
	}

	/** A Task as JGZ acknowledged it: the stored version after the change. */
	public record Acknowledged(String id, long version, Instant lastUpdated, Task task) {
	}

	/**
	 * JGZ acknowledges a Task: {@code completed} (received) or {@code rejected} (with a
	 * reason). Only the status and its reason change; everything else stays as the
	 * gateway made it. {@code inTransaction} sees the result before commit (the audit
	 * record).
	 * @param partition the caller's organisation; another organisation's Task is not
	 * found
	 * @param ifMatch the version the caller read (If-Match), or null
	 */
	public Acknowledged acknowledge(String taskId, String partition, Task submitted, Long ifMatch,
			java.util.function.Consumer<Acknowledged> inTransaction) {
		if (submitted.getStatus() != Task.TaskStatus.COMPLETED && submitted.getStatus() != Task.TaskStatus.REJECTED) {
			throw new UnprocessableEntityException(
					"A JGZ organisation acknowledges a handover Task by setting its status to"
							+ " completed, or to rejected with a statusReason; not " + submitted.getStatus().toCode());
		}
		return transactions.execute(tx -> {
			StoredResource stored = store.read("Task", taskId, partition)
				.orElseThrow(() -> new ResourceNotFoundException("Task/" + taskId));
			if (ifMatch != null && ifMatch != stored.version()) {
				throw new PreconditionFailedException(
						"Task/" + taskId + " is at version " + stored.version() + ", not " + ifMatch + " (If-Match)");
			}
			Task task = fhirContext.newJsonParser().parseResource(Task.class, stored.json());
			if (task.getStatus() != Task.TaskStatus.REQUESTED) {
				throw new ResourceVersionConflictException("Task/" + taskId + " is " + task.getStatus().toCode()
						+ " already" + (task.hasStatusReason() ? " (" + task.getStatusReason().getText() + ")" : ""));
			}
			Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
			task.setStatus(submitted.getStatus());
			task.setStatusReason(submitted.hasStatusReason() ? submitted.getStatusReason() : null);
			task.setLastModified(Date.from(now));
			jgz.update(stored, task, now);
			if (submitted.getStatus() == Task.TaskStatus.COMPLETED) {
				repository.acknowledged(taskId, now);
				repository.byTask(taskId).ifPresent(h -> events.publishEvent(new HandoverChanged(h.mother())));
			}
			// Picked up by pull: a push still waiting is not needed any more.
			repository.byTask(taskId)
				.ifPresent(h -> repository.cancelPendingDeliveries(h.id(), "acknowledged by the recipient"));
			task.setId("Task/" + taskId + "/_history/" + (stored.version() + 1));
			task.getMeta().setVersionId(Long.toString(stored.version() + 1));
			task.getMeta().setLastUpdated(Date.from(now));
			Acknowledged result = new Acknowledged(taskId, stored.version() + 1, now, task);
			inTransaction.accept(result);
			return result;
		});
	}

	/**
	 * When the mother's first prenatal handover document went out, if one did (for
	 * monitoring).
	 */
	public Optional<Instant> prenatalHandoverSentAt(String motherId) {
		return repository.prenatalSentAt(motherId);
	}

	/**
	 * When JGZ acknowledged the child's postnatal handover, if it did (for monitoring).
	 */
	public Optional<Instant> postnatalAcknowledgedAt(String childId) {
		return repository.postnatalAcknowledgedAt(childId);
	}

	/**
	 * Reloads the routing table from its file; handovers it reroutes or unparks are
	 * re-checked.
	 */
	/**
	 * @throws IllegalArgumentException when the file is not a routing table (nothing
	 * changes then)
	 */
	public int reloadRouting() {
		return triggers.reloadRouting();
	}

	private void cancelIfOpen(Handover h, String reason, Instant now) {
		if (!Handover.CANCELLED.equals(h.status())) {
			cancel(h, reason, now);
		}
	}

	/**
	 * Stops a handover: its pending deliveries are cancelled, and every document of it
	 * the recipient has not acknowledged is destroyed (the Tasks stay, cancelled, without
	 * the person's identifier).
	 */
	private void cancel(Handover h, String reason, Instant now) {
		withdrawFromRecipient(h, reason, now);
		repository.save(h.cancelled(reason), now);
		meters.counter("gateway.handover.cancelled").increment();
	}

	/**
	 * The recipient gets nothing more of this handover and keeps only what it
	 * acknowledged.
	 */
	private void withdrawFromRecipient(Handover h, String reason, Instant now) {
		cancelTask(h, reason, now);
		if (h.recipient() != null) {
			jgz.forgetUnacknowledged(h.subject(), h.recipient(), reason, now);
		}
	}

	private void cancelTask(Handover h, String reason, Instant now) {
		repository.cancelPendingDeliveries(h.id(), reason);
		setTaskStatus(h.taskId(), Task.TaskStatus.CANCELLED, reason, now);
	}

	private void supersedeTask(Handover h, int newVersion, Instant now) {
		setTaskStatus(h.taskId(), Task.TaskStatus.CANCELLED, "superseded by version " + newVersion, now);
	}

	/**
	 * Changes a Task that JGZ has not acted on yet; an acknowledged Task stays as JGZ
	 * left it.
	 */
	private void setTaskStatus(String taskId, Task.TaskStatus status, String reason, Instant now) {
		if (taskId == null) {
			return;
		}
		jgz.changeTask(taskId, now, task -> {
			if (task.getStatus() != Task.TaskStatus.REQUESTED) {
				return false;
			}
			task.setStatus(status);
			task.setStatusReason(new CodeableConcept().setText(reason));
			return true;
		});
	}

	private static Optional<Handover> find(List<Handover> existing, HandoverDocuments.Moment moment, String child) {
		return existing.stream().filter(h -> h.moment() == moment && h.child().equals(child)).findFirst();
	}

	private static String idOf(org.hl7.fhir.r4.model.Resource resource) {
		return resource.getIdElement().getIdPart();
	}

}
