package nl.kansrijkestart.gateway.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import nl.kansrijkestart.gateway.ingest.IngestProperties;
import nl.kansrijkestart.gateway.ingest.ProfileCatalog;
import nl.kansrijkestart.gateway.ingest.ProfileValidator;
import nl.kansrijkestart.gateway.ingest.ValidationIssue;
import nl.kansrijkestart.gateway.ingest.ValidationReport;
import nl.kansrijkestart.gateway.security.OrganizationIdentifier;
import nl.kansrijkestart.gateway.store.Municipalities;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Quantity;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The STU3 translation without a server: Nictiz's resources become ks- resources that
 * pass our profiles and equal the golden files in mappings/golden/inbound/
 * ({@link Goldens}).
 */
class Stu3TranslationTest {

	static final FhirContext R4 = FhirContext.forR4Cached();
	static final OrganizationIdentifier SENDER = new OrganizationIdentifier("http://fhir.nl/fhir/NamingSystem/ura",
			"90363101");

	private static Stu3Translation translation;

	@BeforeAll
	static void setUp() throws IOException {
		ProfileCatalog catalog = new ProfileCatalog(R4);
		translation = new Stu3Translation(new InboundMappings(R4), new Municipalities(R4), catalog, R4);
	}

	static List<Stu3Translation.Stu3Entry> entries(org.hl7.fhir.dstu3.model.Bundle bundle) {
		List<Stu3Translation.Stu3Entry> entries = new ArrayList<>();
		for (int i = 0; i < bundle.getEntry().size(); i++) {
			var e = bundle.getEntry().get(i);
			entries.add(new Stu3Translation.Stu3Entry(i, "Bundle.entry[" + i + "].resource", e.getFullUrl(),
					e.getResource()));
		}
		return entries;
	}

	@Test
	void theWoudenCaseBecomesValidKsResources() throws IOException {
		Stu3Translation.Translation t = translation.translate(entries(Stu3Cases.wouden()), SENDER);
		assertThat(Goldens.errors(t.bundle())).isEmpty();
		Goldens.assertGolden("wouden-zwanger3", t);
		Map<String, Object> values = new LinkedHashMap<>();
		for (Bundle.BundleEntryComponent e : t.bundle().getEntry()) {
			values.put(e.getResource().getMeta().getProfile().get(0).getValue().replaceAll(".*/", ""),
					e.getResource() instanceof Observation o ? o.getValue()
							: e.getResource() instanceof Procedure p ? p.getPerformed() : null);
		}
		// what went in comes out in ks- terms: the weight in grams, the Apgar and counts
		// as integers, the birth's date
		assertThat(((Quantity) values.get("ks-birth-weight")).getValue()).isEqualByComparingTo("2845");
		assertThat(((IntegerType) values.get("ks-apgar-score")).getValue()).isEqualTo(7);
		assertThat(((IntegerType) values.get("ks-gravidity")).getValue()).isEqualTo(3);
		assertThat(values.get("ks-birth").toString()).contains("2017-06-22");
		assertThat(values).containsKeys("ks-mother", "ks-child", "ks-pregnancy-episode", "ks-parity",
				"ks-mother-child-link");
		assertThat(t.notes()).filteredOn(n -> n.leftOut() != null)
			.extracting(Stu3Translation.Note::index)
			.containsExactly(3, 6, 11, 12, 13);
	}

	static Stream<Path> examples() throws IOException {
		return Stu3Cases.examples().stream();
	}

	@ParameterizedTest
	@MethodSource("examples")
	void everyNictizExampleIsTranslatedOrLeftOutWithAReason(Path example) throws IOException {
		org.hl7.fhir.dstu3.model.Bundle bundle = Stu3Cases.withContext(Stu3Cases.read(example));
		Stu3Translation.Translation t = translation.translate(entries(bundle), SENDER);
		assertThat(Goldens.errors(t.bundle())).isEmpty();
		assertThat(t.notes()).hasSize(bundle.getEntry().size());
		Goldens.assertGolden(example.getFileName().toString().replace(".xml", ""), t);
	}

	@Test
	void pregnancyDurationInWeeksBecomesDaysAndAtTheBirthTheChilds() throws IOException {
		org.hl7.fhir.dstu3.model.Bundle bundle = Stu3Cases.wouden();
		org.hl7.fhir.dstu3.model.Observation duration = (org.hl7.fhir.dstu3.model.Observation) Stu3Cases
			.read(Stu3Cases.DIR.resolve("examples/Pregnancy-PregnancyDuration.xml"));
		duration.setSubject(new org.hl7.fhir.dstu3.model.Reference("Patient/XXX-VDWOUDEN"));
		duration.setContext(new org.hl7.fhir.dstu3.model.Reference("EpisodeOfCare/wouden-dossier-zwanger3"));
		duration.setEffective(new org.hl7.fhir.dstu3.model.DateTimeType("2017-06-22"));
		duration.setValue(new org.hl7.fhir.dstu3.model.Quantity().setValue(39.43)
			.setUnit("wk")
			.setSystem("http://unitsofmeasure.org")
			.setCode("wk"));
		bundle.addEntry()
			.setFullUrl("https://ehr.vlk-a.example/fhir/Observation/duur")
			.setResource(duration.setId("duur"));
		Stu3Translation.Translation t = translation.translate(entries(bundle), SENDER);
		assertThat(Goldens.errors(t.bundle())).isEmpty();
		Observation atBirth = t.bundle()
			.getEntry()
			.stream()
			.map(e -> e.getResource())
			.filter(r -> r.getMeta().getProfile().get(0).getValue().endsWith("ks-gestational-age-at-birth"))
			.map(Observation.class::cast)
			.findFirst()
			.orElseThrow();
		assertThat(atBirth.getValueQuantity().getValue()).isEqualByComparingTo("276");
		assertThat(atBirth.getValueQuantity().getCode()).isEqualTo("d");
		String child = t.bundle().getEntry().get(1).getFullUrl();
		assertThat(atBirth.getSubject().getReference()).isEqualTo(child);
	}

	/**
	 * Real input is incomplete in every way: the Wouden case with each element of each
	 * resource removed in turn is either translated or refused with a 4xx (STU3 shape,
	 * translation), never an exception of ours.
	 */
	@Test
	void noMissingElementBreaksTheTranslation() throws IOException {
		int tried = 0;
		for (int entry = 0; entry < Stu3Cases.wouden().getEntry().size(); entry++) {
			org.hl7.fhir.dstu3.model.Resource resource = Stu3Cases.wouden().getEntry().get(entry).getResource();
			for (ca.uhn.fhir.context.BaseRuntimeChildDefinition child : Stu3Cases.STU3.getResourceDefinition(resource)
				.getChildren()) {
				org.hl7.fhir.dstu3.model.Bundle bundle = Stu3Cases.wouden();
				org.hl7.fhir.dstu3.model.Resource changed = bundle.getEntry().get(entry).getResource();
				if (child.getAccessor().getValues(changed).isEmpty()) {
					continue;
				}
				child.getMutator().setValue(changed, null);
				tried++;
				try {
					entries(bundle).forEach(Stu3Shape::check);
					translation.translate(entries(bundle), SENDER);
				}
				catch (ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException e) {
					assertThat(e.getStatusCode()).as(entry + " without " + child.getElementName()).isBetween(400, 499);
				}
			}
		}
		assertThat(tried).isGreaterThan(80);
	}

}
