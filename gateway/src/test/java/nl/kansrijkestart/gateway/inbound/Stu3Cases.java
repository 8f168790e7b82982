package nl.kansrijkestart.gateway.inbound;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.hl7.fhir.dstu3.model.Address;
import org.hl7.fhir.dstu3.model.Bundle;
import org.hl7.fhir.dstu3.model.CodeableConcept;
import org.hl7.fhir.dstu3.model.Coding;
import org.hl7.fhir.dstu3.model.EpisodeOfCare;
import org.hl7.fhir.dstu3.model.Enumerations;
import org.hl7.fhir.dstu3.model.Patient;
import org.hl7.fhir.dstu3.model.Period;
import org.hl7.fhir.dstu3.model.Reference;
import org.hl7.fhir.dstu3.model.Resource;

/**
 * The STU3 inputs of the tests: Nictiz's examples
 * ({@code src/test/resources/stu3/examples/}, from
 * ../shared/reference/birth-care/stu3-examples) and the Wouden case assembled from
 * Nictiz/Geboortezorg-STU3 {@code archive/prio1/} (see
 * src/test/resources/stu3/README.md). An example refers to a woman, a child or a maternal
 * record it does not contain: {@link #withContext} sends it with them, written here, as
 * an EHR sends a record.
 */
final class Stu3Cases {

	static final FhirContext STU3 = FhirContext.forDstu3Cached();
	static final Path DIR = Path.of("src", "test", "resources", "stu3");

	private Stu3Cases() {
	}

	static List<Path> examples() throws IOException {
		try (Stream<Path> files = Files.list(DIR.resolve("examples"))) {
			return files.filter(f -> f.toString().endsWith(".xml")).sorted().toList();
		}
	}

	static Resource read(Path file) throws IOException {
		return (Resource) STU3.newXmlParser().parseResource(Files.readString(file));
	}

	static Bundle wouden() throws IOException {
		return STU3.newXmlParser().parseResource(Bundle.class, Files.readString(DIR.resolve("wouden-zwanger3.xml")));
	}

	/**
	 * The Wouden case as another woman's: other BSNs and sender ids, so tests do not
	 * share records.
	 */
	static Bundle woudenAs(String tag) throws IOException {
		String xml = Files.readString(DIR.resolve("wouden-zwanger3.xml"))
			.replace("999910413", bsn(tag + "-mother"))
			.replace("999911016", bsn(tag + "-child"))
			.replace("wouden-dossier-zwanger3", tag + "-dossier")
			.replace("geboorte2-wouden", tag + "-geboorte")
			.replace("kind2-wouden", tag + "-kind");
		return STU3.newXmlParser().parseResource(Bundle.class, xml);
	}

	/**
	 * A transaction of the example and every Patient and EpisodeOfCare it names but does
	 * not hold.
	 */
	static Bundle withContext(Resource example) {
		Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		add(bundle, example);
		Set<String> references = new LinkedHashSet<>();
		STU3.newTerser()
			.getAllPopulatedChildElementsOfType(example, Reference.class)
			.forEach(r -> references.add(r.getReference()));
		for (String ref : references) {
			if (ref == null) {
				continue;
			}
			String id = ref.substring(ref.indexOf('/') + 1);
			if (ref.startsWith("Patient/")) {
				add(bundle, person(id));
			}
			else if (ref.startsWith("EpisodeOfCare/")) {
				EpisodeOfCare record = maternalRecord(id, womanOf(example));
				add(bundle, record);
				add(bundle, person(record.getPatient().getReference().substring("Patient/".length())));
			}
		}
		return bundle;
	}

	private static void add(Bundle bundle, Resource resource) {
		String ref = resource.fhirType() + "/" + resource.getIdElement().getIdPart();
		if (bundle.getEntry()
			.stream()
			.noneMatch(
					e -> ref.equals(e.getResource().fhirType() + "/" + e.getResource().getIdElement().getIdPart()))) {
			bundle.addEntry()
				.setFullUrl("https://ehr.example.nl/fhir/" + ref)
				.setResource(resource)
				.getRequest()
				.setMethod(Bundle.HTTPVerb.PUT)
				.setUrl(ref);
		}
	}

	/**
	 * A person the example names, with what both ks-mother and ks-child need: the
	 * translation decides which she is.
	 */
	static Patient person(String id) {
		Patient p = new Patient();
		p.setId(id);
		p.getMeta().addProfile("http://fhir.nl/fhir/StructureDefinition/nl-core-patient");
		p.addIdentifier().setSystem("http://fhir.nl/fhir/NamingSystem/bsn").setValue(bsn(id));
		p.addName().setFamily("Voorbeeld").addGiven(id);
		p.setGender(Enumerations.AdministrativeGender.FEMALE);
		p.setBirthDateElement(new org.hl7.fhir.dstu3.model.DateType("1990-03-04"));
		p.addAddress(new Address().setCity("Amsterdam")
			.setDistrict("Amsterdam")
			.setPostalCode("1016 GV")
			.setCountry("Nederland"));
		return p;
	}

	/**
	 * The woman an example is about: its subject, unless it is about the child (then a
	 * woman of the context's own).
	 */
	private static String womanOf(Resource example) {
		if (example instanceof org.hl7.fhir.dstu3.model.Observation o) {
			boolean child = o.getMeta()
				.getProfile()
				.stream()
				.anyMatch(p -> p.getValue().endsWith("bc-ChildObservation"))
					|| o.getCode().getCoding().stream().anyMatch(c -> c.getCode().equals("289145007"));
			return child ? "Patient/context-mother" : o.getSubject().getReference();
		}
		if (example instanceof org.hl7.fhir.dstu3.model.Procedure p) {
			return p.getSubject().getReference();
		}
		if (example instanceof org.hl7.fhir.dstu3.model.Encounter enc) {
			return enc.getSubject().getReference();
		}
		return "Patient/context-mother";
	}

	private static EpisodeOfCare maternalRecord(String id, String woman) {
		EpisodeOfCare e = new EpisodeOfCare();
		e.setId(id);
		e.getMeta().addProfile("http://nictiz.nl/fhir/StructureDefinition/bc-MaternalRecord");
		e.setStatus(EpisodeOfCare.EpisodeOfCareStatus.ACTIVE);
		e.addType(new CodeableConcept(
				new Coding("http://snomed.info/sct", "364320009", "observatie betreffende zwangerschap")));
		e.setPatient(new Reference(woman));
		e.setPeriod(new Period().setStartElement(new org.hl7.fhir.dstu3.model.DateTimeType("2016-10-20")));
		return e;
	}

	/** A BSN that passes the elfproef, the same for the same id. */
	static String bsn(String id) {
		for (int n = Math.floorMod(id.hashCode(), 80_000_000) + 100_000_000;; n++) {
			String s = String.valueOf(n);
			int sum = 0;
			for (int i = 0; i < 8; i++) {
				sum += (s.charAt(i) - '0') * (9 - i);
			}
			if ((sum - (s.charAt(8) - '0')) % 11 == 0) {
				return s;
			}
		}
	}

}
