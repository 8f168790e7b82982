package nl.kansrijkestart.gateway.ingest;

import ca.uhn.fhir.context.BaseRuntimeChildDefinition;
import ca.uhn.fhir.context.BaseRuntimeElementDefinition;
import ca.uhn.fhir.context.RuntimeChildResourceDefinition;
import ca.uhn.fhir.util.FhirTerser;
import ca.uhn.fhir.util.IModelVisitor2;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * Every Reference in a resource, with where it sits and whether the element may point to
 * a person.
 */
final class References {

	static final Set<String> PERSON_TYPES = Set.of("Patient", "RelatedPerson", "Person");

	private static final Map<String, String> TYPE_OF_SYSTEM = Map.of("http://fhir.nl/fhir/NamingSystem/bsn", "Patient",
			"http://fhir.nl/fhir/NamingSystem/ura", "Organization", "http://fhir.nl/fhir/NamingSystem/agb-z",
			"Organization", "http://fhir.nl/fhir/NamingSystem/uzi-nr-pers", "Practitioner",
			"http://fhir.nl/fhir/NamingSystem/big", "Practitioner");

	private References() {
	}

	/**
	 * The type a Dutch identifier system implies (BSN: Patient; URA, AGB: Organization;
	 * UZI, BIG: Practitioner), else null.
	 */
	static String typeOfIdentifier(String system) {
		return system == null ? null : TYPE_OF_SYSTEM.get(system);
	}

	/**
	 * @param path the element path, e.g. {@code Observation.subject}
	 */
	record ReferenceSite(Reference reference, String path, boolean mayBePerson) {
	}

	static List<ReferenceSite> in(FhirTerser terser, Resource resource) {
		List<ReferenceSite> sites = new ArrayList<>();
		terser.visit(resource, new IModelVisitor2() {
			@Override
			public boolean acceptElement(IBase element, List<IBase> containingPath,
					List<BaseRuntimeChildDefinition> childPath, List<BaseRuntimeElementDefinition<?>> elementPath) {
				if (element instanceof Reference ref && !childPath.isEmpty()) {
					BaseRuntimeChildDefinition child = childPath.get(childPath.size() - 1);
					boolean person = !(child instanceof RuntimeChildResourceDefinition r) || r.getResourceTypes()
						.stream()
						.anyMatch(t -> t == IBaseResource.class || t == Resource.class
								|| t.getName().endsWith(".Resource") || PERSON_TYPES.contains(t.getSimpleName()));
					String path = resource.fhirType() + "."
							+ childPath.stream()
								.map(BaseRuntimeChildDefinition::getElementName)
								.collect(Collectors.joining("."));
					sites.add(new ReferenceSite(ref, path, person));
				}
				return true;
			}

			@Override
			public boolean acceptUndeclaredExtension(org.hl7.fhir.instance.model.api.IBaseExtension<?, ?> extension,
					List<IBase> containingPath, List<BaseRuntimeChildDefinition> childPath,
					List<BaseRuntimeElementDefinition<?>> elementPath) {
				return true;
			}
		});
		return sites;
	}

}
