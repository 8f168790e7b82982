package nl.kansrijkestart.gateway.consent;

import ca.uhn.fhir.context.FhirContext;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import nl.kansrijkestart.gateway.store.ResourceStore;
import nl.kansrijkestart.gateway.store.StoredResource;
import org.hl7.fhir.r4.model.Consent;
import org.springframework.stereotype.Component;

/**
 * The person a decision is about and the consents recorded for her, across all organisations: a consent belongs to the
 * person (by BSN), whichever birth-care system recorded it. Nothing here is shown to a client as such.
 */
@Component
class PersonRecords {

	static final String BSN_SYSTEM = "http://fhir.nl/fhir/NamingSystem/bsn";
	static final String CHILD_PROFILE = "https://kansrijkestart.nl/fhir/StructureDefinition/ks-child";

	/**
	 * @param patientId the Patient the question is about
	 * @param bsn       her BSN, or null (a newborn may not have one yet)
	 * @param records   every Patient id of this person: the same BSN recorded by several organisations
	 */
	record Person(String patientId, String bsn, boolean child, Set<String> records) {
	}

	private final ResourceStore store;
	private final FhirContext fhirContext;

	PersonRecords(ResourceStore store, FhirContext fhirContext) {
		this.store = store;
		this.fhirContext = fhirContext;
	}

	Optional<Person> person(String patientId) {
		return store.read("Patient", patientId, null).map(this::person);
	}

	private Person person(StoredResource patient) {
		String bsn = store.identifierValues("Patient", List.of(patient.id()), BSN_SYSTEM).get(patient.id());
		Set<String> records = new LinkedHashSet<>();
		records.add(patient.id());
		if (bsn != null) {
			records.addAll(store.idsByIdentifierInAnyPartition("Patient", BSN_SYSTEM, bsn));
		}
		return new Person(patient.id(), bsn, CHILD_PROFILE.equals(patient.profile()), records);
	}

	/** The consents recorded for any of these Patients, as statements. */
	List<ConsentStatement> recordedConsents(Collection<String> patientIds) {
		var parser = fhirContext.newJsonParser();
		List<ConsentStatement> statements = new ArrayList<>();
		for (StoredResource stored : store.referencing("Consent", "patient", "Patient", patientIds)) {
			Consent consent = parser.parseResource(Consent.class, stored.json());
			statements.add(ConsentStatements.of(consent, "Consent/" + stored.id(), ConsentStatement.Source.RECORDED));
		}
		return statements;
	}

	/** The child's mother, from the mother-child links (ks-mother-child-link) of any organisation. */
	List<Person> mothersOf(Person child) {
		List<Person> mothers = new ArrayList<>();
		Set<String> seen = new LinkedHashSet<>();
		for (StoredResource link : store.referencing("RelatedPerson", "patient", "Patient", child.records())) {
			for (String motherId : referencesOf("RelatedPerson", link.id(), "mother")) {
				if (seen.add(motherId)) {
					person(motherId).ifPresent(mothers::add);
				}
			}
		}
		return mothers;
	}

	/** The children linked to any of these mother's records. */
	Set<String> childrenOf(Collection<String> motherIds) {
		Set<String> children = new LinkedHashSet<>();
		for (StoredResource link : store.referencing("RelatedPerson", "mother", "Patient", motherIds)) {
			children.addAll(referencesOf("RelatedPerson", link.id(), "patient"));
		}
		return children;
	}

	/** The Patient ids a stored resource references through an indexed parameter. */
	private List<String> referencesOf(String type, String id, String param) {
		Map<String, List<String>> targets = store.referenceTargets(type, List.of(id), param);
		return targets.getOrDefault("Patient", List.of());
	}

	/** The Patient a stored Consent is about. */
	Optional<String> patientOf(String consentId) {
		return referencesOf("Consent", consentId, "patient").stream().findFirst();
	}
}
