package nl.kansrijkestart.gateway.store;

import ca.uhn.fhir.context.FhirContext;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Reads what one birth-care organisation holds about a mother (and her children) from the
 * store.
 */
@Component
public class BirthCareRecords {

	static final String MOTHER_PROFILE = "https://kansrijkestart.nl/fhir/StructureDefinition/ks-mother";
	static final String CHILD_PROFILE = "https://kansrijkestart.nl/fhir/StructureDefinition/ks-child";
	static final String MUNICIPALITY = "https://kansrijkestart.nl/fhir/StructureDefinition/ks-ext-municipality";

	private static final String BIRTH_CODE = "3950001";

	private static final String CHILD_EXTENSION = "https://kansrijkestart.nl/fhir/StructureDefinition/ks-ext-child";

	/**
	 * What of a mother's record refers to her: observations, the births, the episodes.
	 */
	private static final List<ResourceStore.ReferenceParam> OF_MOTHER = List.of(
			new ResourceStore.ReferenceParam("Observation", "subject"),
			new ResourceStore.ReferenceParam("Procedure", "subject"),
			new ResourceStore.ReferenceParam("EpisodeOfCare", "patient"));

	/** A mother's record and the partition it is in. */
	public record Loaded(BirthCareRecord record, String owner, String municipality) {
	}

	private final ResourceStore store;

	private final FhirContext fhirContext;

	private final ApplicationEventPublisher events;

	private final Municipalities municipalities;

	BirthCareRecords(ResourceStore store, FhirContext fhirContext, ApplicationEventPublisher events,
			Municipalities municipalities) {
		this.store = store;
		this.fhirContext = fhirContext;
		this.events = events;
		this.municipalities = municipalities;
	}

	@EventListener
	public void onWrite(ResourcesWritten written) {
		Set<String> mothers = mothersOf(written.references());
		if (!mothers.isEmpty()) {
			events.publishEvent(new MothersAffected(mothers));
		}
	}

	/**
	 * The mothers whose handovers these written or changed resources ({@code Type/id})
	 * may change.
	 */
	public Set<String> mothersOf(Collection<String> references) {
		Set<String> mothers = new LinkedHashSet<>();
		Set<String> patients = store.patientsOf(references);
		List<String> ids = patients.stream().map(p -> p.substring("Patient/".length())).toList();
		for (StoredResource patient : store.readAll("Patient", ids, null)) {
			if (CHILD_PROFILE.equals(patient.profile())) {
				for (StoredResource link : store.referencing("RelatedPerson", "patient", "Patient",
						List.of(patient.id()))) {
					mothers.addAll(store.referenceTargets("RelatedPerson", List.of(link.id()), "mother")
						.getOrDefault("Patient", List.of()));
				}
			}
			else {
				mothers.add(patient.id());
			}
		}
		return mothers;
	}

	public Optional<Loaded> load(String motherId) {
		Optional<StoredResource> stored = store.read("Patient", motherId, null)
			.filter(p -> !CHILD_PROFILE.equals(p.profile()));
		if (stored.isEmpty()) {
			return Optional.empty();
		}
		String owner = stored.get().owner();
		Patient mother = parse(stored.get(), Patient.class);
		// Her observations, births and episodes in one query; then her children and
		// theirs in two.
		List<StoredResource> hers = ofOwner(store.referencing(OF_MOTHER, "Patient", List.of(motherId)), owner);
		List<Observation> observations = parseAll(hers, "Observation", Observation.class);
		List<Map.Entry<String, Procedure>> birthsOfChildren = new ArrayList<>();
		for (Procedure procedure : parseAll(hers, "Procedure", Procedure.class)) {
			boolean birth = procedure.getCode().getCoding().stream().anyMatch(c -> BIRTH_CODE.equals(c.getCode()));
			Extension child = procedure.getExtensionByUrl(CHILD_EXTENSION);
			if (birth && child != null && child.getValue() instanceof Reference ref) {
				birthsOfChildren.add(Map.entry(ref.getReferenceElement().getIdPart(), procedure));
			}
		}
		Map<String, Patient> children = new HashMap<>();
		store.readAll("Patient", birthsOfChildren.stream().map(Map.Entry::getKey).collect(Collectors.toSet()), owner)
			.forEach(c -> children.put(c.id(), parse(c, Patient.class)));
		Map<String, List<Observation>> childObservations = new HashMap<>();
		for (Observation o : parseAll(
				ofOwner(store.referencing("Observation", "subject", "Patient", children.keySet()), owner),
				"Observation", Observation.class)) {
			childObservations.computeIfAbsent(o.getSubject().getReferenceElement().getIdPart(), k -> new ArrayList<>())
				.add(o);
		}
		List<BirthCareRecord.Birth> births = new ArrayList<>();
		for (Map.Entry<String, Procedure> birth : birthsOfChildren) {
			if (children.containsKey(birth.getKey())) {
				births.add(new BirthCareRecord.Birth(birth.getValue(), children.get(birth.getKey()),
						childObservations.getOrDefault(birth.getKey(), List.of())));
			}
		}
		return Optional.of(new Loaded(
				new BirthCareRecord(mother, observations, author(ofType(hers, "EpisodeOfCare"), owner), births), owner,
				municipality(mother)));
	}

	private static List<StoredResource> ofType(List<StoredResource> resources, String type) {
		return resources.stream().filter(r -> r.resourceType().equals(type)).toList();
	}

	private <T extends Resource> List<T> parseAll(List<StoredResource> resources, String type, Class<T> as) {
		return ofType(resources, type).stream().map(r -> parse(r, as)).toList();
	}

	/**
	 * The organisation managing her latest pregnancy episode; else the partition's own
	 * Organization record.
	 */
	private Organization author(List<StoredResource> ofHers, String owner) {
		List<StoredResource> episodes = new ArrayList<>(ofHers);
		episodes.sort(Comparator.comparing(StoredResource::lastUpdated).reversed());
		for (StoredResource e : episodes) {
			String orgId = parse(e, EpisodeOfCare.class).getManagingOrganization().getReferenceElement().getIdPart();
			Optional<StoredResource> org = orgId == null ? Optional.empty() : store.read("Organization", orgId, owner);
			if (org.isPresent()) {
				return parse(org.get(), Organization.class);
			}
		}
		String[] token = owner.split("\\|", 2);
		Organization fallback = new Organization();
		fallback.setId("owner");
		fallback.addIdentifier().setSystem(token[0]).setValue(token[1]);
		fallback.setName("Birth-care organisation " + token[1]);
		return store.idsByIdentifier("Organization", token[0], token[1], owner)
			.stream()
			.findFirst()
			.flatMap(id -> store.read("Organization", id, owner))
			.map(o -> parse(o, Organization.class))
			.orElse(fallback);
	}

	/** Her address's municipality, a former code read as its successor. */
	private String municipality(Patient mother) {
		return municipalities.current(mother.getAddress()
			.stream()
			.map(a -> a.getExtensionByUrl(MUNICIPALITY))
			.filter(e -> e != null && e.getValue() instanceof org.hl7.fhir.r4.model.Coding)
			.map(e -> ((org.hl7.fhir.r4.model.Coding) e.getValue()).getCode())
			.findFirst()
			.orElse(null));
	}

	/**
	 * The partition's resources, in a stable order: the same record must make the same
	 * document.
	 */
	private static List<StoredResource> ofOwner(List<StoredResource> resources, String owner) {
		return resources.stream()
			.filter(r -> owner.equals(r.owner()))
			.sorted(Comparator.comparing(StoredResource::id))
			.toList();
	}

	private <T extends Resource> T parse(StoredResource stored, Class<T> type) {
		T resource = fhirContext.newJsonParser().parseResource(type, stored.json());
		resource.setId(stored.resourceType() + "/" + stored.id());
		return resource;
	}

}
