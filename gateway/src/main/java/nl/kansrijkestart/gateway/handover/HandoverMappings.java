package nl.kansrijkestart.gateway.handover;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import nl.kansrijkestart.gateway.ingest.MapEngine;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ConceptMap;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StructureMap;
import org.springframework.stereotype.Component;

/**
 * The declarative birth-care → JGZ mapping set of {@code mappings/} (packaged on the
 * classpath): FHIR Mapping Language maps per source resource type, run by
 * {@link MapEngine}, and ConceptMaps that its {@code translate} uses and that place each
 * entry in its BDS rubric. Changing a mapping is a data change.
 */
@Component
class HandoverMappings {

	static final String BDS_ELEMENTS = "https://kansrijkestart.nl/fhir/ConceptMap/ks-bds-elements";
	static final String BDS_VALUES = "https://kansrijkestart.nl/fhir/ConceptMap/ks-bds-values";

	private final String version;

	private final Map<String, StructureMap> mapsBySourceType = new LinkedHashMap<>();

	private final List<String> canonicals = new ArrayList<>();

	/** ConceptMap url → "system|code" → target. */
	private final Map<String, Map<String, ConceptMap.TargetElementComponent>> conceptMaps = new HashMap<>();

	private final MapEngine engine;

	HandoverMappings(FhirContext fhirContext) throws IOException {
		JsonNode manifest = new ObjectMapper().readTree(MapEngine.text("handover.json"));
		this.version = manifest.get("version").asText();
		for (JsonNode file : manifest.get("conceptMaps")) {
			ConceptMap cm = fhirContext.newJsonParser().parseResource(ConceptMap.class, MapEngine.text(file.asText()));
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
		this.engine = new MapEngine(fhirContext, this::translate);
		for (JsonNode map : manifest.get("maps")) {
			StructureMap parsed = engine.parse(map.get("file").asText(), map.get("version").asText());
			mapsBySourceType.put(map.get("source").asText(), parsed);
			canonicals.add(parsed.getUrl() + "|" + parsed.getVersion());
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

	/** The source resource as the JGZ document holds it. */
	Resource map(Resource source) {
		StructureMap map = mapsBySourceType.get(source.fhirType());
		if (map == null) {
			throw new IllegalArgumentException("No handover mapping for " + source.fhirType());
		}
		return engine.transform(map, source);
	}

	/**
	 * A birth-care observation as the JGZ document holds it, its value typed for its BDS
	 * element; a vital sign whose R4 unit is not the BDS unit comes with a second
	 * observation: the BDS element in the BDS unit.
	 */
	List<Observation> mapObservation(Observation source) {
		Observation mapped = (Observation) map(source);
		List<Observation> out = new ArrayList<>(List.of(mapped));
		bdsElement(mapped.getCode()).flatMap(element -> BdsValueTypes.apply(mapped, element)).ifPresent(out::add);
		return out;
	}

	/**
	 * The BDS entries a birth's extensions fill (mode of delivery BDS 1324, presentation
	 * BDS 100: rows of ks-bds-elements whose source is the extension, code
	 * {@code value}): the element as the code, the extension's coded value with the
	 * SNOMED coding kept and, for an element with a W-list, its code beside it; free text
	 * (ST) as the concept's text. The assembler sets subject and {@code partOf}.
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
			sent.getCoding()
				.stream()
				.map(c -> translate(c, BDS_VALUES))
				.filter(c -> c != null)
				.forEach(value::addCoding);
			if (!value.hasText() && sent.hasCoding()) {
				value.setText(sent.getCodingFirstRep().getDisplay());
			}
			out.add(new Observation().setStatus(Observation.ObservationStatus.FINAL)
				.setCode(new CodeableConcept(
						new Coding((String) element.getUserData("system"), element.getCode(), element.getDisplay())))
				.setEffective(birth.getPerformed() instanceof Period p ? p.getStartElement() : birth.getPerformed())
				.setValue(value));
		}
		return out;
	}

	/**
	 * The BDS rubric (e.g. R016) a code belongs in, if the code is handed over at all.
	 */
	Optional<String> rubric(CodeableConcept code) {
		return bdsElement(code).flatMap(target -> BdsValueTypes.product(target, "rubric"));
	}

	/**
	 * The BDS element a birth-care code fills (ConceptMap ks-bds-elements), by its first
	 * coding that has one.
	 */
	private Optional<ConceptMap.TargetElementComponent> bdsElement(CodeableConcept code) {
		Map<String, ConceptMap.TargetElementComponent> elements = conceptMaps.getOrDefault(BDS_ELEMENTS, Map.of());
		return code.getCoding()
			.stream()
			.map(c -> elements.get(c.getSystem() + "|" + c.getCode()))
			.filter(t -> t != null)
			.findFirst();
	}

	private Coding translate(Coding source, String conceptMapUrl) {
		ConceptMap.TargetElementComponent target = conceptMaps.getOrDefault(conceptMapUrl, Map.of())
			.get(source.getSystem() + "|" + source.getCode());
		return target == null ? null
				: new Coding((String) target.getUserData("system"), target.getCode(), target.getDisplay());
	}

}
