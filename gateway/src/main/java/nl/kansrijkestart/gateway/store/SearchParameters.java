package nl.kansrijkestart.gateway.store;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The search parameters the gateway indexes, per resource type, with the FHIRPath that
 * feeds the index. Index tables and the CapabilityStatement follow this list; a parameter
 * not here is not searchable.
 */
public final class SearchParameters {

	public record Definition(String resourceType, String name, SearchParamType type, String path) {
	}

	private static final List<Definition> ALL = List.of(token("Patient", "identifier", "Patient.identifier"),
			token("Patient", "gender", "Patient.gender"), date("Patient", "birthdate", "Patient.birthDate"),
			token("RelatedPerson", "identifier", "RelatedPerson.identifier"),
			reference("RelatedPerson", "patient", "RelatedPerson.patient"),
			token("RelatedPerson", "relationship", "RelatedPerson.relationship"),
			reference("RelatedPerson", "mother",
					"RelatedPerson.extension('https://kansrijkestart.nl/fhir/StructureDefinition/ks-ext-mother').value"),
			token("EpisodeOfCare", "identifier", "EpisodeOfCare.identifier"),
			reference("EpisodeOfCare", "patient", "EpisodeOfCare.patient"),
			reference("EpisodeOfCare", "organization", "EpisodeOfCare.managingOrganization"),
			token("EpisodeOfCare", "type", "EpisodeOfCare.type"), date("EpisodeOfCare", "date", "EpisodeOfCare.period"),
			token("Observation", "identifier", "Observation.identifier"),
			token("Observation", "code", "Observation.code"),
			reference("Observation", "subject", "Observation.subject"),
			reference("Observation", "patient", "Observation.subject"),
			date("Observation", "date", "Observation.effective"),
			token("Procedure", "identifier", "Procedure.identifier"), token("Procedure", "code", "Procedure.code"),
			reference("Procedure", "subject", "Procedure.subject"),
			reference("Procedure", "patient", "Procedure.subject"), date("Procedure", "date", "Procedure.performed"),
			token("Organization", "identifier", "Organization.identifier"),
			token("Consent", "identifier", "Consent.identifier"), reference("Consent", "patient", "Consent.patient"),
			token("Consent", "status", "Consent.status"), token("Consent", "purpose", "Consent.provision.purpose"),
			date("Consent", "date", "Consent.dateTime"), token("Task", "status", "Task.status"),
			token("Task", "owner", "Task.owner.identifier"), token("Task", "code", "Task.code"),
			token("Task", "business-status", "Task.businessStatus"), reference("Task", "focus", "Task.focus"),
			reference("Task", "patient", "Task.for"), token("Bundle", "identifier", "Bundle.identifier"),
			reference("Provenance", "target", "Provenance.target"),
			date("Provenance", "recorded", "Provenance.recorded"));

	private static final Map<String, List<Definition>> BY_TYPE = ALL.stream()
		.collect(Collectors.groupingBy(Definition::resourceType));

	private SearchParameters() {
	}

	public static List<Definition> forType(String resourceType) {
		return BY_TYPE.getOrDefault(resourceType, List.of());
	}

	public static Optional<Definition> find(String resourceType, String name) {
		return forType(resourceType).stream().filter(d -> d.name().equals(name)).findFirst();
	}

	private static Definition token(String type, String name, String path) {
		return new Definition(type, name, SearchParamType.TOKEN, path);
	}

	private static Definition reference(String type, String name, String path) {
		return new Definition(type, name, SearchParamType.REFERENCE, path);
	}

	private static Definition date(String type, String name, String path) {
		return new Definition(type, name, SearchParamType.DATE, path);
	}

}
