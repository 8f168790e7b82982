package nl.kansrijkestart.gateway.consent;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import nl.kansrijkestart.gateway.consent.ConsentDecision.Ground;
import nl.kansrijkestart.gateway.consent.ConsentDecision.Outcome;
import org.springframework.stereotype.Service;

/**
 * Where consent is decided: {@link #decide} answers for one person's record, purpose,
 * recipient and moment from its sources (the consents recorded by the organisation
 * holding the record and, when configured, the national registry), by
 * {@link ConsentRules}; a consent recorded at another organisation does not count (see
 * {@link PersonRecords}). A child's data follows the mother's decision until the child
 * has consents of its own. When a source cannot be consulted the outcome is unknown,
 * which permits nothing. {@link #gate} is for decisions that let data leave the gateway:
 * it also records them in the decision log.
 */
@Service
public class ConsentService {

	private final PersonRecords persons;

	private final ConsentRegistry registry;

	private final ConsentDecisionLog log;

	private final MonitoringPolicy monitoringPolicy;

	ConsentService(PersonRecords persons, ConsentRegistry registry, ConsentDecisionLog log,
			ConsentProperties properties) {
		this.persons = persons;
		this.registry = registry;
		this.log = log;
		this.monitoringPolicy = properties.monitoring();
	}

	public MonitoringPolicy monitoringPolicy() {
		return monitoringPolicy;
	}

	/**
	 * @param patientId the Patient (mother or child) the data is about, in any
	 * organisation's records
	 * @param recipient the receiving organisation as {@code system|value}, or null
	 * @return empty when no such Patient exists
	 */
	public Optional<ConsentDecision> decide(String patientId, Purpose purpose, String recipient, Instant at) {
		return persons.person(patientId).map(person -> decide(person, purpose, recipient, at));
	}

	/**
	 * Decides and records the decision in the decision log; {@code context} names what it
	 * gates (e.g. a Task).
	 */
	public Optional<ConsentDecision> gate(String patientId, Purpose purpose, String recipient, Instant at,
			String context) {
		return persons.person(patientId).map(person -> {
			ConsentDecision decision = decide(person, purpose, recipient, at);
			log.record(decision, person.bsn(), context);
			return decision;
		});
	}

	/** The decision log of a person (all her Patient records), newest first. */
	public List<ConsentDecisionLog.Entry> decisionLog(String patientId) {
		return persons.person(patientId).map(p -> log.entries(p.records())).orElse(List.of());
	}

	private ConsentDecision decide(PersonRecords.Person person, Purpose purpose, String recipient, Instant moment) {
		// FHIR instants (and the decision log) hold milliseconds.
		Instant at = moment.truncatedTo(ChronoUnit.MILLIS);
		Sources own = consult(person);
		String prefix = "";
		Sources deciding = own;
		if (person.child() && own.available() && !hasActive(own.statements(), purpose)) {
			List<Sources> mothers = persons.mothersOf(person).stream().map(this::consult).toList();
			if (!mothers.isEmpty()) {
				deciding = Sources.merge(mothers);
				prefix = "the child has no consent of its own for " + purpose.description()
						+ ", so the mother's decides: ";
			}
		}
		if (!deciding.available()) {
			return new ConsentDecision("Patient/" + person.patientId(), purpose, recipient, at, Outcome.UNKNOWN,
					Ground.SOURCE_UNAVAILABLE, prefix + "the consent registry could not be consulted ("
							+ deciding.failure() + "); nothing is permitted until it answers",
					List.of());
		}
		ConsentRules.Verdict verdict = ConsentRules.decide(deciding.statements(), purpose, recipient, at,
				monitoringPolicy);
		return new ConsentDecision("Patient/" + person.patientId(), purpose, recipient, at, verdict.outcome(),
				verdict.ground(), prefix + verdict.reason(), verdict.basis());
	}

	private static boolean hasActive(List<ConsentStatement> statements, Purpose purpose) {
		return statements.stream()
			.anyMatch(s -> s.status() == ConsentStatement.Status.ACTIVE && s.purposes().contains(purpose));
	}

	/**
	 * Every source's consents for one person, or the reason a source could not be
	 * consulted.
	 */
	private Sources consult(PersonRecords.Person person) {
		List<ConsentStatement> statements = new ArrayList<>(persons.recordedConsents(person.ownRecords()));
		if (registry.enabled() && person.bsn() != null) {
			ConsentRegistry.Answer answer = registry.consentsOf(person.bsn());
			if (!answer.available()) {
				return new Sources(List.of(), answer.failure());
			}
			statements.addAll(answer.statements());
		}
		return new Sources(statements, null);
	}

	private record Sources(List<ConsentStatement> statements, String failure) {
		boolean available() {
			return failure == null;
		}

		static Sources merge(List<Sources> all) {
			List<ConsentStatement> statements = new ArrayList<>();
			for (Sources s : all) {
				if (!s.available()) {
					return s;
				}
				statements.addAll(s.statements());
			}
			return new Sources(statements, null);
		}
	}

}
