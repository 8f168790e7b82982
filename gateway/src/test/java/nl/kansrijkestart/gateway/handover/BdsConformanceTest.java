package nl.kansrijkestart.gateway.handover;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import nl.kansrijkestart.gateway.store.BirthCareRecord;
import nl.kansrijkestart.gateway.support.Csv;
import nl.kansrijkestart.tools.PregnancyGenerator;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every document the mapping set can produce, for the profile examples and a generated
 * population, speaks BDS 4.2.0: each element code is a known, active element with its
 * 4.2.0 name; each value has the element's BDS type and unit (bds-elements-selected.csv)
 * and each coded value is a code of the element's W-list, in that list's code system
 * (bds-value-lists.csv). The reference tables are those of mappings/reference/bds/.
 */
class BdsConformanceTest {

	private static final FhirContext CTX = FhirContext.forR4Cached();

	private static final Path BDS = Path.of("..", "mappings", "reference", "bds");

	private static final String ELEMENT_SYSTEM = "urn:oid:2.16.840.1.113883.2.4.4.40.267";

	private static final HandoverDocuments.Identity IDENTITY = new HandoverDocuments.Identity(
			UUID.fromString("6f1c2a34-0000-4000-8000-000000000002"), 1, null, Instant.parse("2024-10-01T08:00:00Z"));

	private static final Map<String, String[]> ELEMENTS = new HashMap<>();

	private static final Map<String, String[]> SELECTED = new HashMap<>();

	/** value list OID → "code system|code" of its concepts. */
	private static final Map<String, Set<String>> VALUE_LISTS = new HashMap<>();

	private static HandoverDocuments documents;

	@BeforeAll
	static void setUp() throws IOException {
		Csv.rows(BDS.resolve("bds-4.2.0-elements.csv")).forEach(r -> ELEMENTS.put(r[0], r));
		Csv.rows(BDS.resolve("bds-elements-selected.csv")).forEach(r -> SELECTED.putIfAbsent(r[0], r));
		Csv.rows(BDS.resolve("bds-value-lists.csv"))
			.forEach(r -> VALUE_LISTS.computeIfAbsent(r[0], k -> new HashSet<>()).add("urn:oid:" + r[6] + "|" + r[5]));
		documents = new HandoverDocuments(new HandoverMappings(CTX), CTX);
	}

	@Test
	void everyElementAndValueOfEveryDocumentIsBds420() throws IOException {
		List<Bundle> produced = new ArrayList<>();
		BirthCareRecord examples = HandoverDocumentsTest.examples();
		produced.add(documents.prenatal(examples, IDENTITY));
		produced.add(documents.postnatal(examples, examples.births().get(0), IDENTITY));
		PregnancyGenerator generator = new PregnancyGenerator(4_200);
		for (int i = 0; i < 300; i++) {
			BirthCareRecord record = record(generator.next().bundle());
			produced.add(documents.prenatal(record, IDENTITY));
			record.births().forEach(birth -> produced.add(documents.postnatal(record, birth, IDENTITY)));
		}
		Set<String> seen = new HashSet<>();
		for (Bundle document : produced) {
			for (Bundle.BundleEntryComponent entry : document.getEntry()) {
				if (entry.getResource() instanceof Observation o) {
					seen.add(conforms(o));
				}
			}
		}
		// the generator and the examples between them produce every element the map has
		assertThat(seen).contains("740", "741", "82", "1578", "91", "92", "93", "1581", "1569", "115", "747", "137",
				"368", "865", "110", "112", "113", "129", "1324", "100");
	}

	/**
	 * The observation's BDS element, after checking it and its value; null for an R4
	 * vital sign kept as sent, whose BDS element is an observation of its own derived
	 * from it.
	 */
	private static String conforms(Observation o) {
		List<Coding> bds = o.getCode().getCoding().stream().filter(c -> ELEMENT_SYSTEM.equals(c.getSystem())).toList();
		if (bds.isEmpty()) {
			assertThat(o.getValue()).as("only a vital sign in its R4 unit goes without a BDS element")
				.isInstanceOfSatisfying(Quantity.class, q -> assertThat(q.getCode()).isIn("cm", "[in_i]"));
			return null;
		}
		assertThat(bds).as("one BDS element per entry").hasSize(1);
		return conforms(bds.get(0), o.getValue());
	}

	private static String conforms(Coding bds, org.hl7.fhir.r4.model.Type value) {
		Observation o = new Observation().setValue(value);
		String element = bds.getCode();
		String[] known = ELEMENTS.get(element);
		assertThat(known).as("BDS 4.2.0 element " + element).isNotNull();
		assertThat(known[2]).as("element " + element + " is active in 4.2.0").isEqualTo("L");
		assertThat(bds.getDisplay()).isEqualTo(known[1]);
		String[] selected = SELECTED.get(element);
		assertThat(selected).as("element " + element + " has a known BDS type").isNotNull();
		String type = selected[3].split(" ")[0];
		switch (type) {
			case "BL", "substanceAdministrationEvent" ->
				assertThat(o.getValue()).as(element).isInstanceOf(BooleanType.class);
			case "INT" -> assertThat(o.getValue()).as(element).isInstanceOf(IntegerType.class);
			case "TS" -> assertThat(o.getValue()).as(element).isInstanceOf(DateTimeType.class);
			// free text, with the birth-care coding kept beside it
			case "ST" -> assertThat(o.getValue()).as(element).isInstanceOfSatisfying(CodeableConcept.class, c -> {
				assertThat(c.getText()).isNotBlank();
				assertThat(c.getCoding()).anyMatch(coding -> "http://snomed.info/sct".equals(coding.getSystem()));
			});
			case "PQ" -> {
				String unit = selected[3].replaceFirst("^PQ unit (\\S+).*$", "$1");
				assertThat(o.getValue()).as(element).isInstanceOfSatisfying(Quantity.class, q -> {
					assertThat(q.getSystem()).isEqualTo("http://unitsofmeasure.org");
					assertThat(q.getCode()).as(element + " in " + unit).isEqualTo(unit);
				});
			}
			case "CV" -> assertThat(o.getValue()).as(element)
				.isInstanceOfSatisfying(CodeableConcept.class,
						c -> assertThat(c.getCoding())
							.anyMatch(coding -> VALUE_LISTS.getOrDefault(selected[4], Set.of())
								.contains(coding.getSystem() + "|" + coding.getCode())));
			default -> throw new AssertionError(
					"element " + element + " has BDS type " + type + ", which no mapping produces");
		}
		return element;
	}

	/** A generated transaction Bundle as the record the document assembler reads. */
	private static BirthCareRecord record(Bundle bundle) {
		Map<String, Resource> byUrl = new HashMap<>();
		bundle.getEntry().forEach(e -> byUrl.put(e.getFullUrl(), e.getResource()));
		Patient mother = null;
		Organization author = null;
		List<Procedure> births = new ArrayList<>();
		Map<String, List<Observation>> bySubject = new HashMap<>();
		for (Bundle.BundleEntryComponent e : bundle.getEntry()) {
			Resource r = e.getResource();
			if (r instanceof Patient p
					&& p.getMeta().getProfile().stream().anyMatch(u -> u.getValue().endsWith("ks-mother"))) {
				mother = p;
				mother.setId(e.getFullUrl());
			}
			else if (r instanceof Patient p) {
				p.setId(e.getFullUrl());
			}
			else if (r instanceof Organization o) {
				author = o;
			}
			else if (r instanceof Procedure p) {
				births.add(p);
			}
			else if (r instanceof Observation o) {
				bySubject.computeIfAbsent(o.getSubject().getReference(), k -> new ArrayList<>()).add(o);
			}
		}
		String motherUrl = mother.getIdElement().getValue();
		List<BirthCareRecord.Birth> children = new ArrayList<>();
		for (Procedure birth : births) {
			var child = birth.getExtensionByUrl("https://kansrijkestart.nl/fhir/StructureDefinition/ks-ext-child");
			if (child != null && child.getValue() instanceof Reference ref
					&& byUrl.get(ref.getReference()) instanceof Patient c) {
				children
					.add(new BirthCareRecord.Birth(birth, c, bySubject.getOrDefault(ref.getReference(), List.of())));
			}
		}
		return new BirthCareRecord(mother, bySubject.getOrDefault(motherUrl, List.of()), author, children);
	}

}
