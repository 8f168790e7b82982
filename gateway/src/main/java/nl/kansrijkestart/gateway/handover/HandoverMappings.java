package nl.kansrijkestart.gateway.handover;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hl7.fhir.r4.hapi.ctx.HapiWorkerContext;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ConceptMap;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StructureMap;
import org.hl7.fhir.r4.utils.StructureMapUtilities;
import org.springframework.core.io.ClassPathResource;
import org.springframework.stereotype.Component;

/**
 * The declarative birth-care → JGZ mapping set of {@code mappings/} (packaged on the classpath): FHIR Mapping Language
 * maps per source resource type, run by HAPI's {@link StructureMapUtilities}, and ConceptMaps that its
 * {@code translate} uses and that place each entry in its BDS rubric. Changing a mapping is a data change.
 */
@Component
class HandoverMappings {

	static final String BDS_ELEMENTS = "https://kansrijkestart.nl/fhir/ConceptMap/ks-bds-elements";
	static final String BDS_VALUES = "https://kansrijkestart.nl/fhir/ConceptMap/ks-bds-values";

	private final FhirContext fhirContext;
	private final String version;
	private final Map<String, StructureMap> mapsBySourceType = new LinkedHashMap<>();
	private final List<String> canonicals = new ArrayList<>();
	/** ConceptMap url → "system|code" → target. */
	private final Map<String, Map<String, ConceptMap.TargetElementComponent>> conceptMaps = new HashMap<>();
	private final StructureMapUtilities engine;

	HandoverMappings(FhirContext fhirContext) throws IOException {
		this.fhirContext = fhirContext;
		JsonNode manifest = new ObjectMapper().readTree(read("handover.json"));
		this.version = manifest.get("version").asText();
		for (JsonNode file : manifest.get("conceptMaps")) {
			ConceptMap cm = fhirContext.newJsonParser().parseResource(ConceptMap.class, read(file.asText()));
			Map<String, ConceptMap.TargetElementComponent> index = new HashMap<>();
			for (ConceptMap.ConceptMapGroupComponent group : cm.getGroup()) {
				for (ConceptMap.SourceElementComponent element : group.getElement()) {
					ConceptMap.TargetElementComponent target = element.getTargetFirstRep();
					// The target's system is its group's: keep it with the target.
					target.setUserData("system", group.getTarget());
					index.put(group.getSource() + "|" + element.getCode(), target);
				}
			}
			conceptMaps.put(cm.getUrl(), index);
			canonicals.add(cm.getUrl() + "|" + cm.getVersion());
		}
		this.engine = new StructureMapUtilities(new HapiWorkerContext(fhirContext, new DefaultProfileValidationSupport(fhirContext)),
				new Services());
		for (JsonNode map : manifest.get("maps")) {
			StructureMap parsed = engine.parse(read(map.get("file").asText()), map.get("file").asText());
			parsed.setVersion(map.get("version").asText());
			mapsBySourceType.put(map.get("source").asText(), parsed);
			canonicals.add(parsed.getUrl() + "|" + parsed.getVersion());
		}
	}

	private static String read(String file) throws IOException {
		try (InputStream in = new ClassPathResource("mappings/" + file).getInputStream()) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
	}

	/** The mapping set's version, recorded in every document. */
	String version() {
		return version;
	}

	/** {@code url|version} of every map and ConceptMap in the set. */
	List<String> canonicals() {
		return List.copyOf(canonicals);
	}

	/** The source resource as the JGZ document holds it. The engine is not thread-safe; handovers are few. */
	synchronized Resource map(Resource source) {
		StructureMap map = mapsBySourceType.get(source.fhirType());
		if (map == null) {
			throw new IllegalArgumentException("No handover mapping for " + source.fhirType());
		}
		Resource target = (Resource) fhirContext.getResourceDefinition(source.fhirType()).newInstance();
		engine.transform(null, source, map, target);
		return target;
	}

	/**
	 * A birth-care observation as the JGZ document holds it, its value typed for its BDS element; a vital sign whose R4
	 * unit is not the BDS unit comes with a second observation: the BDS element in the BDS unit.
	 */
	synchronized List<Observation> mapObservation(Observation source) {
		Observation mapped = (Observation) map(source);
		List<Observation> out = new ArrayList<>(List.of(mapped));
		bdsElement(mapped.getCode()).flatMap(element -> BdsValueTypes.apply(mapped, element)).ifPresent(out::add);
		return out;
	}

	/**
	 * The BDS entries a birth's extensions fill (mode of delivery BDS 1324, presentation BDS 100: rows of
	 * ks-bds-elements whose source is the extension, code {@code value}): the element as the code, the extension's
	 * coded value with the SNOMED coding kept and, for an element with a W-list, its code beside it; free text (ST) as
	 * the concept's text. The assembler sets subject and {@code partOf}.
	 */
	List<Observation> birthElements(Procedure birth) {
		Map<String, ConceptMap.TargetElementComponent> elements = conceptMaps.getOrDefault(BDS_ELEMENTS, Map.of());
		List<Observation> out = new ArrayList<>();
		for (Extension extension : birth.getExtension()) {
			ConceptMap.TargetElementComponent element = elements.get(extension.getUrl() + "|value");
			if (element == null || !(extension.getValue() instanceof CodeableConcept sent)) {
				continue;
			}
			CodeableConcept value = sent.copy();
			sent.getCoding().stream().map(c -> translate(c, BDS_VALUES)).filter(c -> c != null).forEach(value::addCoding);
			if (!value.hasText() && sent.hasCoding()) {
				value.setText(sent.getCodingFirstRep().getDisplay());
			}
			out.add(new Observation().setStatus(Observation.ObservationStatus.FINAL)
					.setCode(new CodeableConcept(new Coding((String) element.getUserData("system"), element.getCode(), element.getDisplay())))
					.setEffective(birth.getPerformed() instanceof Period p ? p.getStartElement() : birth.getPerformed()).setValue(value));
		}
		return out;
	}

	/** The BDS rubric (e.g. R016) a code belongs in, if the code is handed over at all. */
	Optional<String> rubric(CodeableConcept code) {
		return bdsElement(code).flatMap(target -> BdsValueTypes.product(target, "rubric"));
	}

	/** The BDS element a birth-care code fills (ConceptMap ks-bds-elements), by its first coding that has one. */
	private Optional<ConceptMap.TargetElementComponent> bdsElement(CodeableConcept code) {
		Map<String, ConceptMap.TargetElementComponent> elements = conceptMaps.getOrDefault(BDS_ELEMENTS, Map.of());
		return code.getCoding().stream().map(c -> elements.get(c.getSystem() + "|" + c.getCode())).filter(t -> t != null).findFirst();
	}

	private Coding translate(Coding source, String conceptMapUrl) {
		ConceptMap.TargetElementComponent target = conceptMaps.getOrDefault(conceptMapUrl, Map.of())
				.get(source.getSystem() + "|" + source.getCode());
		return target == null ? null : new Coding((String) target.getUserData("system"), target.getCode(), target.getDisplay());
	}

	/** The engine's hooks: types from HAPI's model, {@code translate} from our ConceptMaps. */
	private final class Services implements StructureMapUtilities.ITransformerServices {
		@Override
		public void log(String message) {
			// The engine narrates every rule; nothing of it is worth keeping.
		}

		@Override
		public Base createType(Object appInfo, String name) {
			String type = name.substring(name.lastIndexOf('/') + 1);
			return (Base) fhirContext.getElementDefinition(type).newInstance();
		}

		@Override
		public Base createResource(Object appInfo, Base res, boolean atRootofTransform) {
			return res;
		}

		@Override
		public Coding translate(Object appInfo, Coding source, String conceptMapUrl) {
			return HandoverMappings.this.translate(source, conceptMapUrl);
		}

		@Override
		public Base resolveReference(Object appInfo, String url) {
			throw new UnsupportedOperationException("Handover maps do not resolve references");
		}

		@Override
		public List<Base> performSearch(Object appInfo, String url) {
			throw new UnsupportedOperationException("Handover maps do not search");
		}
	}
}
