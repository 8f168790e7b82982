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
 * The person a decision is about and the consents that decide for her records. The rule
 * is per source organisation (docs/consent.md): the records an organisation holds are
 * released by the consents recorded at that organisation and by the national registry,
 * never by a consent recorded elsewhere. So a permit given at one practice does not
 * release what another practice holds for a mother who denied there, and no answer about
 * a record depends on, or reveals, care at another organisation. Nothing here is shown to
 * a client as such.
 */
@Component
class PersonRecords {

	static final String BSN_SYSTEM = "http://fhir.nl/fhir/NamingSystem/bsn";
	static final String CHILD_PROFILE = "https://kansrijkestart.nl/fhir/StructureDefinition/ks-child";

	/**
	 * @param patientId the Patient the question is about
	 * @param bsn her BSN, or null (a newborn may not have one yet)
	 * @param records every Patient id of this person: the same BSN recorded by several
	 * organisations (for the decision log and consent changes, never for a decision)
	 * @param ownRecords her Patient ids at the organisation that holds {@code patientId}:
	 * what decides for it
	 */
	record Person(String patientId, String bsn, boolean child, Set<String> records, Set<String> ownRecords) {
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
		Set<String> ownRecords = new LinkedHashSet<>();
		records.add(patient.id());
		ownRecords.add(patient.id());
		if (bsn != null) {
			records.addAll(store.idsByIdentifierInAnyPartition("Patient", BSN_SYSTEM, bsn));
			ownRecords.addAll(store.idsByIdentifier("Patient", BSN_SYSTEM, bsn, patient.owner()));
		}
		return new Person(patient.id(), bsn, CHILD_PROFILE.equals(patient.profile()), records, ownRecords);
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

	/**
	 * The child's mother, from the mother-child links (ks-mother-child-link) of the
	 * organisation holding the child.
	 */
	List<Person> mothersOf(Person child) {
		List<Person> mothers = new ArrayList<>();
		Set<String> seen = new LinkedHashSet<>();
		for (StoredResource link : store.referencing("RelatedPerson", "patient", "Patient", child.ownRecords())) {
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
