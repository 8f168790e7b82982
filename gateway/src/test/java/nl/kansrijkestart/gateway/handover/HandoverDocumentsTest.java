package nl.kansrijkestart.gateway.handover;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import nl.kansrijkestart.gateway.ingest.IngestProperties;
import nl.kansrijkestart.gateway.ingest.ProfileCatalog;
import nl.kansrijkestart.gateway.ingest.ProfileValidator;
import nl.kansrijkestart.gateway.ingest.ValidationIssue;
import nl.kansrijkestart.gateway.ingest.ValidationReport;
import nl.kansrijkestart.gateway.store.BirthCareRecord;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The mapping set run over the profile examples (one mother, one child, their birth and
 * observations): the documents validate against the handover profiles, and equal the
 * golden files in mappings/golden/. After a deliberate mapping change, regenerate them
 * with {@code -Dgolden.update=true} and review the diff.
 */
class HandoverDocumentsTest {

	private static final FhirContext CTX = FhirContext.forR4Cached();

	private static final Path EXAMPLES = Path.of("..", "profiles", "examples");

	private static final Path GOLDEN = Path.of("..", "mappings", "golden");

	private static final HandoverDocuments.Identity FIRST = new HandoverDocuments.Identity(
			UUID.fromString("6f1c2a34-0000-4000-8000-000000000001"), 1, null, Instant.parse("2024-10-01T08:00:00Z"));

	private static HandoverDocuments documents;

	private static ProfileValidator validator;

	private static BirthCareRecord record;

	@BeforeAll
	static void setUp() throws IOException {
		documents = new HandoverDocuments(new HandoverMappings(CTX), CTX);
		validator = new ProfileValidator(CTX, new ProfileCatalog(CTX), new IngestProperties(1, 1, false));
		record = examples();
	}

	/** The profile examples as one organisation's record of a mother and child. */
	static BirthCareRecord examples() throws IOException {
		Patient mother = null;
		Patient child = null;
		Procedure birth = null;
		Organization organization = null;
		List<Observation> motherObservations = new ArrayList<>();
		List<Observation> childObservations = new ArrayList<>();
		try (var files = Files.list(EXAMPLES)) {
			for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
				Resource r = (Resource) CTX.newJsonParser().parseResource(Files.readString(f));
				if (r instanceof Patient p) {
					if (p.getIdPart().equals("example-mother")) {
						mother = p;
					}
					else {
						child = p;
					}
				}
				else if (r instanceof Procedure p) {
					birth = p;
				}
				else if (r instanceof Organization o) {
					organization = o;
				}
				else if (r instanceof Observation o) {
					(o.getSubject().getReference().endsWith("example-child") ? childObservations : motherObservations)
						.add(o);
				}
			}
		}
		return new BirthCareRecord(mother, motherObservations, organization,
				List.of(new BirthCareRecord.Birth(birth, child, childObservations)));
	}

	@Test
	void prenatalDocumentValidatesAndMatchesItsGoldenFile() throws IOException {
		Bundle document = documents.prenatal(record, FIRST);
		assertValid(document);
		assertThat(sections(document)).containsExactly("R003", "R013", "R014", "R019");
		assertGolden("prenatal.json", document);
	}

	@Test
	void postnatalDocumentValidatesAndMatchesItsGoldenFile() throws IOException {
		Bundle document = documents.postnatal(record, record.births().get(0), FIRST);
		assertValid(document);
		assertThat(sections(document)).containsExactly("R003", "R013", "R014", "R015", "R016", "R019", "R037", "R040");
		assertGolden("postnatal.json", document);
	}

	@Test
	void everyEntryCarriesItsBirthCareCodeAndItsBdsElement() {
		Bundle document = documents.postnatal(record, record.births().get(0), FIRST);
		List<Observation> observations = document.getEntry()
			.stream()
			.map(Bundle.BundleEntryComponent::getResource)
			.filter(Observation.class::isInstance)
			.map(Observation.class::cast)
			.toList();
		assertThat(observations).isNotEmpty().allSatisfy(o -> {
			// an element of the birth (mode of delivery, presentation) keeps the
			// birth-care coding in its value
			List<Coding> birthCare = o.hasPartOf() ? ((CodeableConcept) o.getValue()).getCoding()
					: sourceOf(document, o).getCode().getCoding();
			assertThat(birthCare).anyMatch(
					c -> c.getSystem().equals("http://snomed.info/sct") || c.getSystem().equals("http://loinc.org"));
			assertThat(bdsEntryOf(document, o).getCode().getCoding())
				.anyMatch(c -> c.getSystem().equals("urn:oid:2.16.840.1.113883.2.4.4.40.267"));
		});
		// Prenatal screening has no BDS element: it is not handed over (data
		// minimisation).
		assertThat(observations).noneMatch(o -> o.getCode().getCodingFirstRep().getCode().equals("882-1"));
		// The example child has no BSN yet: it keeps its birth-care identifier, so JGZ
		// can match it.
		Patient child = document.getEntry()
			.stream()
			.map(Bundle.BundleEntryComponent::getResource)
			.filter(Patient.class::isInstance)
			.map(Patient.class::cast)
			.findFirst()
			.orElseThrow();
		assertThat(child.getIdentifier()).singleElement()
			.satisfies(i -> assertThat(i.getValue()).isEqualTo("90518111-17bfc9945a-c1-child"));
		assertThat(child.getBirthDate()).isNotNull();
	}

	/**
	 * Every entry of both documents is valid core R4 on its own (our profiles check the
	 * document as a whole).
	 */
	@Test
	void everyEntryIsValidCoreR4() {
		ca.uhn.fhir.validation.FhirValidator core = CTX.newValidator()
			.registerValidatorModule(new org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator(CTX));
		for (Bundle document : List.of(documents.prenatal(record, FIRST),
				documents.postnatal(record, record.births().get(0), FIRST))) {
			for (Bundle.BundleEntryComponent e : document.getEntry()) {
				Resource alone = e.getResource().copy();
				// our own profiles are checked on the whole document (assertValid)
				alone.getMeta().getProfile().clear();
				assertThat(core.validateWithResult(alone)
					.getMessages()
					.stream()
					.filter(m -> m.getSeverity().ordinal() >= ca.uhn.fhir.validation.ResultSeverityEnum.ERROR.ordinal())
					// references between entries are urn:uuid fullUrls, resolved within
					// the document
					.filter(m -> !m.getMessage().contains("urn:uuid"))
					.map(m -> m.getLocationString() + ": " + m.getMessage())).as(e.getResource().fhirType()).isEmpty();
			}
		}
	}

	/**
	 * Core R4 requires an Observation with a vital-sign LOINC code to conform to that
	 * vital sign's profile (units included); HAPI's validator does not apply it by
	 * itself, so it is asked for here.
	 */
	@Test
	void vitalSignsConformToTheR4VitalSignsProfiles() {
		Map<String, String> vitalSigns = Map.of("9843-4", "headcircum", "8302-2", "bodyheight", "29463-7", "bodyweight",
				"8310-5", "bodytemp", "8867-4", "heartrate");
		ca.uhn.fhir.validation.FhirValidator core = CTX.newValidator()
			.registerValidatorModule(new org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator(CTX));
		Bundle document = documents.postnatal(record, record.births().get(0), FIRST);
		List<Observation> checked = new ArrayList<>();
		for (Bundle.BundleEntryComponent e : document.getEntry()) {
			if (e.getResource() instanceof Observation o) {
				o.getCode()
					.getCoding()
					.stream()
					.filter(c -> "http://loinc.org".equals(c.getSystem()) && vitalSigns.containsKey(c.getCode()))
					.findFirst()
					.ifPresent(c -> {
						Observation copy = o.copy();
						copy.getSubject().setReference("Patient/child");
						copy.getMeta()
							.addProfile("http://hl7.org/fhir/StructureDefinition/" + vitalSigns.get(c.getCode()));
						assertThat(core.validateWithResult(copy)
							.getMessages()
							.stream()
							.filter(m -> m.getSeverity().ordinal() >= ca.uhn.fhir.validation.ResultSeverityEnum.ERROR
								.ordinal())
							.map(m -> m.getLocationString() + ": " + m.getMessage())).as(c.getCode()).isEmpty();
						checked.add(o);
					});
			}
		}
		assertThat(checked).as("the head circumference").isNotEmpty();
	}

	/**
	 * JGZ matches a child without a BSN on its birth-care identifier, its birth date and
	 * its mother's BSN.
	 */
	@Test
	void theDocumentSaysWhoTheChildsMotherIsByHerBsn() {
		Bundle document = documents.postnatal(record, record.births().get(0), FIRST);
		Composition composition = (Composition) document.getEntryFirstRep().getResource();
		org.hl7.fhir.r4.model.RelatedPerson mother = document.getEntry()
			.stream()
			.map(Bundle.BundleEntryComponent::getResource)
			.filter(org.hl7.fhir.r4.model.RelatedPerson.class::isInstance)
			.map(org.hl7.fhir.r4.model.RelatedPerson.class::cast)
			.findFirst()
			.orElseThrow();
		assertThat(mother.getPatient().getReference()).isEqualTo(composition.getSubject().getReference());
		assertThat(mother.getRelationshipFirstRep().getCodingFirstRep().getCode()).isEqualTo("NMTH");
		assertThat(mother.getIdentifier()).singleElement().satisfies(i -> {
			assertThat(i.getSystem()).isEqualTo("http://fhir.nl/fhir/NamingSystem/bsn");
			assertThat(i.getValue()).isEqualTo(record.mother().getIdentifierFirstRep().getValue());
		});
		Patient motherPatient = document.getEntry()
			.stream()
			.map(Bundle.BundleEntryComponent::getResource)
			.filter(Patient.class::isInstance)
			.map(Patient.class::cast)
			.filter(p -> p.hasLink())
			.findFirst()
			.orElseThrow();
		assertThat(motherPatient.getIdentifierFirstRep().getValue())
			.isEqualTo(record.mother().getIdentifierFirstRep().getValue());
	}

	@Test
	void withABsnTheBirthCareIdentifiersStayBehind() {
		Patient child = record.births().get(0).child().copy();
		child.addIdentifier().setSystem("http://fhir.nl/fhir/NamingSystem/bsn").setValue("371365120");
		BirthCareRecord withBsn = new BirthCareRecord(record.mother(), record.observations(), record.author(),
				List.of(new BirthCareRecord.Birth(record.births().get(0).procedure(), child,
						record.births().get(0).observations())));
		Bundle document = documents.postnatal(withBsn, withBsn.births().get(0), FIRST);
		document.getEntry()
			.stream()
			.map(Bundle.BundleEntryComponent::getResource)
			.filter(Patient.class::isInstance)
			.map(Patient.class::cast)
			.forEach(p -> assertThat(p.getIdentifier())
				.allMatch(i -> i.getSystem().equals("http://fhir.nl/fhir/NamingSystem/bsn")));
	}

	@Test
	void aSecondCodingBesideLoincKeepsTheBdsElement() {
		List<Observation> observations = record.births().get(0).observations().stream().map(Observation::copy).toList();
		observations
			.forEach(o -> o.getCode().addCoding().setSystem("urn:oid:2.16.840.1.113883.2.4.3.11.999").setCode("LOCAL"));
		BirthCareRecord twoCodings = new BirthCareRecord(record.mother(), record.observations(), record.author(),
				List.of(new BirthCareRecord.Birth(record.births().get(0).procedure(), record.births().get(0).child(),
						observations)));
		Bundle document = documents.postnatal(twoCodings, twoCodings.births().get(0), FIRST);
		List<Observation> handedOver = document.getEntry()
			.stream()
			.map(Bundle.BundleEntryComponent::getResource)
			.filter(Observation.class::isInstance)
			.map(Observation.class::cast)
			.filter(o -> o.getCode().getCoding().stream().anyMatch(c -> "LOCAL".equals(c.getCode())))
			.toList();
		assertThat(handedOver).isNotEmpty()
			.allSatisfy(o -> assertThat(bdsEntryOf(document, o).getCode().getCoding())
				.anyMatch(c -> c.getSystem().equals("urn:oid:2.16.840.1.113883.2.4.4.40.267")));
	}

	/** The entry a BDS entry of a vital sign was derived from, else the entry itself. */
	private static Observation sourceOf(Bundle document, Observation o) {
		return o.hasDerivedFrom() ? (Observation) entry(document, o.getDerivedFromFirstRep().getReference()) : o;
	}

	/**
	 * The entry carrying the BDS element of this one: itself, or for a vital sign the
	 * entry derived from it.
	 */
	private static Observation bdsEntryOf(Bundle document, Observation o) {
		String url = document.getEntry()
			.stream()
			.filter(e -> e.getResource() == o)
			.findFirst()
			.orElseThrow()
			.getFullUrl();
		return document.getEntry()
			.stream()
			.map(Bundle.BundleEntryComponent::getResource)
			.filter(Observation.class::isInstance)
			.map(Observation.class::cast)
			.filter(d -> d.getDerivedFrom().stream().anyMatch(r -> url.equals(r.getReference())))
			.findFirst()
			.orElse(o);
	}

	private static Resource entry(Bundle document, String fullUrl) {
		return document.getEntry()
			.stream()
			.filter(e -> fullUrl.equals(e.getFullUrl()))
			.findFirst()
			.orElseThrow()
			.getResource();
	}

	@Test
	void anAmendmentReplacesTheVersionBefore() {
		Bundle first = documents.postnatal(record, record.births().get(0), FIRST);
		HandoverDocuments.Identity second = new HandoverDocuments.Identity(FIRST.handoverId(), 2,
				FIRST.bundleIdentifier(), Instant.parse("2024-10-02T08:00:00Z"));
		Bundle amended = documents.postnatal(record, record.births().get(0), second);
		Composition c = (Composition) amended.getEntryFirstRep().getResource();
		assertThat(c.getStatus()).isEqualTo(Composition.CompositionStatus.AMENDED);
		assertThat(c.getRelatesToFirstRep().getCode()).isEqualTo(Composition.DocumentRelationshipType.REPLACES);
		assertThat(c.getRelatesToFirstRep().getTargetIdentifier().getValue())
			.isEqualTo(first.getIdentifier().getValue());
		assertThat(amended.getIdentifier().getValue()).isNotEqualTo(first.getIdentifier().getValue());
		assertThat(c.getIdentifier().getValue())
			.isEqualTo(((Composition) first.getEntryFirstRep().getResource()).getIdentifier().getValue());
		assertValid(amended);
	}

	private static List<String> sections(Bundle document) {
		return ((Composition) document.getEntryFirstRep().getResource()).getSection()
			.stream()
			.map(s -> s.getCode().getCodingFirstRep().getCode())
			.toList();
	}

	private static void assertValid(Bundle document) {
		ValidationReport report = validator.validate(
				CTX.newJsonParser().encodeResourceToString(document).getBytes(StandardCharsets.UTF_8),
				ProfileValidator.Format.JSON, false, ProfileValidator.NOTHING_KNOWN);
		assertThat(report.issues().stream().filter(ValidationIssue::blocks)).as(report.issues().toString()).isEmpty();
		assertThat(report.entries()).singleElement()
			.satisfies(e -> assertThat(e.profile())
				.isEqualTo("https://kansrijkestart.nl/fhir/StructureDefinition/ks-handover-document"));
	}

	private static void assertGolden(String name, Bundle document) throws IOException {
		String actual = CTX.newJsonParser().setPrettyPrint(true).encodeResourceToString(document) + "\n";
		Path golden = GOLDEN.resolve(name);
		if (Boolean.getBoolean("golden.update")) {
			Files.writeString(golden, actual, StandardCharsets.UTF_8);
		}
		assertThat(golden).as("golden file; create it with -Dgolden.update=true").exists();
		assertThat(actual).isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
	}

}
