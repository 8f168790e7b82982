package nl.kansrijkestart.gateway.inbound;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import nl.kansrijkestart.gateway.ingest.MapEngine;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ConceptMap;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StructureMap;
import org.springframework.stereotype.Component;

/**
 * The inbound mapping set of {@code mappings/inbound/} (on the classpath): FML maps per
 * bc- resource kind, the rule table that picks a ks- profile (and map) for each resource
 * that arrives, ConceptMaps for codes and answers, and the kernset element table.
 * Changing what the gateway accepts is a data change.
 */
@Component
class InboundMappings {

	static final String CODES = "https://kansrijkestart.nl/fhir/ConceptMap/bc-to-ks-codes";
	static final String VALUES = "https://kansrijkestart.nl/fhir/ConceptMap/bc-to-ks-values";

	/**
	 * One row of stu3-rules.csv: resources of {@code type} matching {@code match} become
	 * {@code profile}; {@code undated} says where an undated one takes its date
	 * ({@code episode-start}: a count that holds for the whole pregnancy).
	 */
	record Rule(String type, String match, String profile, String map, String valuePath, String concept, String undated,
			String note) {
		boolean leftOut() {
			return profile.equals("left-out");
		}

		boolean partOfBirth() {
			return profile.equals("part-of-birth");
		}
	}

	/**
	 * One row of kernset.csv: the kernset element at {@code templatePath} (template
	 * numbers from the CareProvisionEvent down) is the Nictiz bc-/zib element
	 * {@code bcResource} with {@code bcCode}; {@code valueType} says how its value reads.
	 */
	record KernsetElement(String templatePath, String bcResource, String bcCode, String valueType, String name) {
	}

	private final String version;

	private final List<String> canonicals = new ArrayList<>();

	private final Map<String, StructureMap> maps = new HashMap<>();

	private final Map<String, Map<String, Coding>> conceptMaps = new HashMap<>();

	private final List<Rule> rules = new ArrayList<>();

	private final List<KernsetElement> kernset = new ArrayList<>();

	/**
	 * STU3 element path → PWD 3.2 concept id, for elements a rule's own concept does not
	 * cover.
	 */
	private final Map<String, String> concepts = new java.util.LinkedHashMap<>();

	private final MapEngine engine;

	InboundMappings(FhirContext fhirContext) throws IOException {
		JsonNode manifest = new ObjectMapper().readTree(read("inbound.json"));
		this.version = manifest.get("version").asText();
		for (JsonNode file : manifest.get("conceptMaps")) {
			ConceptMap cm = fhirContext.newJsonParser().parseResource(ConceptMap.class, read(file.asText()));
			Map<String, Coding> index = conceptMaps.computeIfAbsent(cm.getUrl(), u -> new HashMap<>());
			for (ConceptMap.ConceptMapGroupComponent group : cm.getGroup()) {
				for (ConceptMap.SourceElementComponent element : group.getElement()) {
					ConceptMap.TargetElementComponent target = element.getTargetFirstRep();
					index.put(group.getSource() + "|" + element.getCode(),
							new Coding(group.getTarget(), target.getCode(), target.getDisplay()));
				}
			}
			canonicals.add(cm.getUrl() + "|" + cm.getVersion());
		}
		this.engine = new MapEngine(fhirContext, (coding, url) -> translate(coding, url).orElse(null));
		for (JsonNode map : manifest.get("maps")) {
			StructureMap parsed = engine.parse("inbound/" + map.get("file").asText(), map.get("version").asText());
			maps.put(map.get("name").asText(), parsed);
			canonicals.add(parsed.getUrl() + "|" + parsed.getVersion());
		}
		for (String[] f : rows(read(manifest.get("rules").asText()), 8)) {
			rules.add(new Rule(f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]));
		}
		for (String[] f : rows(read(manifest.get("concepts").asText()), 3)) {
			concepts.put(f[0], f[1]);
		}
		for (String[] f : rows(read(manifest.get("kernset").asText()), 5)) {
			kernset.add(new KernsetElement(f[0], f[1], f[2], f[3], f[4]));
		}
	}

	/**
	 * Rows after the header; the last of {@code columns} fields is free text and may hold
	 * commas.
	 */
	private static List<String[]> rows(String csv, int columns) {
		return csv.lines()
			.filter(l -> !l.isBlank() && !l.startsWith("#"))
			.skip(1)
			.map(l -> l.split(",", columns))
			.toList();
	}

	private static String read(String file) throws IOException {
		return MapEngine.text("inbound/" + file);
	}

	String version() {
		return version;
	}

	/**
	 * {@code url|version} of every map and ConceptMap in the set: Provenance records
	 * them.
	 */
	List<String> canonicals() {
		return List.copyOf(canonicals);
	}

	/**
	 * The PWD concept of a sent element ({@code Type.path}, indices dropped): the rule's
	 * own when the path is its value element, else the first concepts-table path it
	 * starts with; empty when neither knows.
	 */
	String concept(Rule rule, String stu3Path) {
		String path = stu3Path.replaceAll("\\[\\d+\\]", "");
		if (rule != null && !rule.valuePath().isEmpty() && path.startsWith(rule.valuePath().replace("[x]", ""))) {
			return rule.concept();
		}
		return concepts.entrySet()
			.stream()
			.filter(e -> path.startsWith(e.getKey()))
			.map(Map.Entry::getValue)
			.findFirst()
			.orElse("");
	}

	/**
	 * The kernset table's canonical for Provenance: the file within this mapping set's
	 * version.
	 */
	String kernsetTable() {
		return "https://kansrijkestart.nl/fhir/mappings/inbound/kernset.csv|" + version;
	}

	List<KernsetElement> kernset() {
		return kernset;
	}

	/**
	 * The rule for a converted resource: by profile claim, then by the first coding of
	 * its code that a rule names, then the type's catch-all. Patients are matched by role
	 * (mother or child), which the caller knows.
	 */
	Optional<Rule> rule(Resource resource, CodeableConcept code, String role) {
		String type = resource.fhirType();
		for (Rule r : rules) {
			if (!r.type().equals(type)) {
				continue;
			}
			if (r.match().startsWith("profile:") && resource.getMeta()
				.getProfile()
				.stream()
				.anyMatch(p -> p.getValue().endsWith("/" + r.match().substring("profile:".length())))) {
				return Optional.of(r);
			}
			if (role != null && r.match().equals("role:" + role)) {
				return Optional.of(r);
			}
		}
		if (code != null) {
			for (Coding c : code.getCoding()) {
				for (Rule r : rules) {
					if (r.type().equals(type) && r.match().equals("code:" + c.getSystem() + "|" + c.getCode())) {
						return Optional.of(r);
					}
				}
			}
		}
		return rules.stream().filter(r -> r.type().equals(type) && r.match().equals("*")).findFirst();
	}

	/** Runs the rule's FML map over the converted resource. */
	Resource map(Rule rule, Resource source) {
		StructureMap map = maps.get(rule.map());
		if (map == null) {
			throw new IllegalStateException(
					"stu3-rules.csv names the map " + rule.map() + ", which inbound.json does not list");
		}
		return engine.transform(map, source);
	}

	/** The ks- coding a ConceptMap gives for a sent coding, if it lists one. */
	Optional<Coding> translate(Coding source, String conceptMapUrl) {
		Coding target = conceptMaps.getOrDefault(conceptMapUrl, Map.of())
			.get(source.getSystem() + "|" + source.getCode());
		return Optional.ofNullable(target).map(Coding::copy);
	}

}
