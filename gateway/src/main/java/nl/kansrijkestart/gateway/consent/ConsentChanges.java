package nl.kansrijkestart.gateway.consent;

import ca.uhn.fhir.context.FhirContext;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Set;
import nl.kansrijkestart.gateway.store.ResourcesWritten;
import nl.kansrijkestart.gateway.store.ResourceStore;
import org.hl7.fhir.r4.model.Consent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.event.EventListener;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.stereotype.Component;

/**
 * Turns a stored Consent into {@link ConsentChanged} announcements: queued inside the
 * write's transaction ({@link #onWrite}), processed later by {@link ConsentChangeFlow}'s
 * poller ({@link #process}), which decides again for everyone the consent is about: the
 * person (all her records) and her children, whose data follows her decision.
 */
@Component
class ConsentChanges {

	private static final Logger log = LoggerFactory.getLogger(ConsentChanges.class);

	private final MessageChannel queue;

	private final MessageChannel decisions;

	private final ResourceStore store;

	private final PersonRecords persons;

	private final ConsentService consent;

	private final FhirContext fhirContext;

	ConsentChanges(@Qualifier(ConsentChangeFlow.QUEUE_CHANNEL) MessageChannel queue,
			@Qualifier(ConsentChangeFlow.DECISIONS_CHANNEL) MessageChannel decisions, ResourceStore store,
			PersonRecords persons, ConsentService consent, FhirContext fhirContext) {
		this.queue = queue;
		this.decisions = decisions;
		this.store = store;
		this.persons = persons;
		this.consent = consent;
		this.fhirContext = fhirContext;
	}

	@EventListener
	public void onWrite(ResourcesWritten written) {
		written.ofType("Consent").forEach(ref -> queue.send(MessageBuilder.withPayload(ref).build()));
	}

	void process(String reference) {
		String id = reference.substring(reference.indexOf('/') + 1);
		var stored = store.read("Consent", id, null);
		if (stored.isEmpty()) {
			// Purged since (retention): nobody's data is left to decide about.
			log.debug("Consent change for a consent that no longer exists");
			return;
		}
		Consent changed = fhirContext.newJsonParser().parseResource(Consent.class, stored.get().json());
		Set<Purpose> purposes = EnumSet.noneOf(Purpose.class);
		changed.getProvision().getPurpose().forEach(c -> Purpose.fromCode(c.getCode()).ifPresent(purposes::add));
		Set<String> affected = new LinkedHashSet<>();
		persons.patientOf(id).flatMap(persons::person).ifPresent(person -> {
			affected.addAll(person.records());
			affected.addAll(persons.childrenOf(person.records()));
		});
		Instant now = Instant.now();
		for (String patient : affected) {
			for (Purpose purpose : purposes) {
				consent.decide(patient, purpose, null, now)
					.ifPresent(decision -> decisions
						.send(MessageBuilder.withPayload(new ConsentChanged("Patient/" + patient, purpose, decision))
							.build()));
			}
		}
	}

}
