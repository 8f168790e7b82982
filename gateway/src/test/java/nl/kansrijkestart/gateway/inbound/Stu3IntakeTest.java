package nl.kansrijkestart.gateway.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import nl.kansrijkestart.gateway.consent.Purpose;
import nl.kansrijkestart.gateway.support.Consents;
import nl.kansrijkestart.gateway.support.DatabaseState;
import nl.kansrijkestart.gateway.support.ExternalSystems;
import nl.kansrijkestart.gateway.support.FhirHttp;
import nl.kansrijkestart.gateway.support.GatewayTest;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What a birth-care EHR on the Nictiz STU3 profiles sends, over HTTP at /fhir/stu3: the
 * Wouden case and every Nictiz example are accepted, stored as ks- resources with a
 * Provenance naming the source and maps, handed over and counted; a resend changes
 * nothing.
 */
@GatewayTest
class Stu3IntakeTest extends ExternalSystems {

	static final String STU3_XML = "application/fhir+xml; fhirVersion=3.0";
	static final String STU3_JSON = "application/fhir+json; fhirVersion=3.0";

	private static final String MOTHER_BSN = "999910413";

	@LocalServerPort
	int port;

	@Autowired
	JdbcTemplate jdbc;

	FhirHttp http;

	@BeforeEach
	void setUp() {
		http = new FhirHttp(port);
	}

	static String xml(org.hl7.fhir.dstu3.model.Resource resource) {
		return Stu3Cases.STU3.newXmlParser().encodeResourceToString(resource);
	}

	static String json(org.hl7.fhir.dstu3.model.Resource resource) {
		return Stu3Cases.STU3.newJsonParser().encodeResourceToString(resource);
	}

	/**
	 * The STU3 response: a transaction-response whose entries say what became of each
	 * sent entry.
	 */
	static org.hl7.fhir.dstu3.model.Bundle stu3Response(FhirHttp.Response r) {
		assertThat(r.status()).as(r.body()).isEqualTo(200);
		return ca.uhn.fhir.rest.api.EncodingEnum.detectEncoding(r.body())
			.newParser(Stu3Cases.STU3)
			.parseResource(org.hl7.fhir.dstu3.model.Bundle.class, r.body());
	}

	private static List<String> outcomes(org.hl7.fhir.dstu3.model.Bundle response) {
		return response.getEntry()
			.stream()
			.map(e -> ((org.hl7.fhir.dstu3.model.OperationOutcome) e.getResponse().getOutcome()).getIssueFirstRep()
				.getDiagnostics())
			.toList();
	}

	@Test
	void theWoudenCaseIsStoredOnceHandedOverAndCounted() throws IOException {
		FhirHttp.Response first = http.post("/fhir/stu3", xml(Stu3Cases.wouden()), STU3_XML);
		org.hl7.fhir.dstu3.model.Bundle firstResponse = stu3Response(first);
		List<String> said = outcomes(firstResponse);
		assertThat(firstResponse.getEntry().get(0).getResponse().getStatus()).isEqualTo("201 Created");
		assertThat(firstResponse.getEntry().get(13).getResponse().getStatus()).isEqualTo("200 OK");
		assertThat(said).hasSize(14);
		assertThat(said.get(0)).startsWith("Mapped to ks-mother: created Patient/");
		assertThat(said.get(8)).isEqualTo("Mapped into ks-birth (with the birth it is about)");
		assertThat(said.get(13)).startsWith("Left out: practitioner details");

		// stored in ks- form, readable at /fhir: the municipality from address.district,
		// the weight in grams
		Patient mother = (Patient) http
			.get("/fhir/Patient?identifier=http://fhir.nl/fhir/NamingSystem/bsn|" + MOTHER_BSN)
			.as(Bundle.class)
			.getEntryFirstRep()
			.getResource();
		assertThat(mother.getMeta().getProfile().get(0).getValue()).endsWith("ks-mother");
		assertThat(((Coding) mother.getAddressFirstRep()
			.getExtensionByUrl("https://kansrijkestart.nl/fhir/StructureDefinition/ks-ext-municipality")
			.getValue()).getCode()).isEqualTo(PULL_MUNICIPALITY);
		Bundle provenances = http.get("/fhir/Provenance?target=Patient/" + mother.getIdPart()).as(Bundle.class);
		Provenance provenance = (Provenance) provenances.getEntryFirstRep().getResource();
		assertThat(provenance.getEntityFirstRep().getWhat().getDisplay()).isEqualTo("FHIR STU3 (Nictiz bc-/zib2017)");
		assertThat(provenance.getPolicy()).extracting(p -> p.getValue())
			.contains("https://kansrijkestart.nl/fhir/StructureMap/bc-birth-to-ks|1.0.0",
					"https://kansrijkestart.nl/fhir/ConceptMap/bc-to-ks-codes|1.0.0");

		// the same case again: nothing changes, and the answer says so
		DatabaseState before = DatabaseState.of(jdbc);
		List<String> again = outcomes(stu3Response(http.post("/fhir/stu3", json(Stu3Cases.wouden()), STU3_JSON)));
		assertThat(again.get(0)).startsWith("Mapped to ks-mother: unchanged Patient/" + mother.getIdPart());
		assertThat(DatabaseState.of(jdbc)).isEqualTo(before);

		// her permit (R4, as the consent registry or her EHR records it): the postnatal
		// document for JGZ Amsterdam
		http.submit("/fhir", FhirHttp.json(new Bundle().setType(Bundle.BundleType.TRANSACTION)
			.addEntry(new Bundle.BundleEntryComponent()
				.setResource(Consents.simple("stu3-permit", new Reference("Patient/" + mother.getIdPart()),
						"2024-01-10T10:00:00+01:00", true, Purpose.HANDOVER))
				.setRequest(
						new Bundle.BundleEntryRequestComponent().setMethod(Bundle.HTTPVerb.POST).setUrl("Consent")))));
		FhirHttp jgz = http.as("jgz-a");
		Task postnatal = await().atMost(Duration.ofSeconds(30))
			.until(() -> jgz.get("/fhir/Task?owner=" + JGZ_A + "&_count=500")
				.as(Bundle.class)
				.getEntry()
				.stream()
				.map(e -> (Task) e.getResource())
				.filter(t -> t.getReasonCode().getCodingFirstRep().getCode().equals("postnatal"))
				.filter(t -> "999911016".equals(t.getFor().getIdentifier().getValue()))
				.findFirst()
				.orElse(null), java.util.Objects::nonNull);
		Bundle document = jgz.get("/fhir/" + postnatal.getFocus().getReference()).as(Bundle.class);
		assertThat(((Composition) document.getEntryFirstRep().getResource()).getStatus())
			.isEqualTo(Composition.CompositionStatus.FINAL);
		assertThat(document.getEntry()).map(e -> e.getResource())
			.filteredOn(Observation.class::isInstance)
			.map(Observation.class::cast)
			.filteredOn(o -> o.getCode().getCoding().stream().anyMatch(c -> "8339-4".equals(c.getCode())))
			.singleElement()
			.satisfies(o -> assertThat(((Quantity) o.getValue()).getValue()).isEqualByComparingTo("2845"));

		// and in the indicator facts
		DatabaseState.awaitBackgroundWork(jdbc);
		assertThat(jdbc.queryForList("select weight_g from monitoring_birth where month = date '2017-06-01'",
				Integer.class))
			.contains(2845);
	}

	static Stream<Path> examples() throws IOException {
		return Stu3Cases.examples().stream();
	}

	@ParameterizedTest
	@MethodSource("examples")
	void everyNictizExampleIsAccepted(Path example) throws IOException {
		org.hl7.fhir.dstu3.model.Bundle bundle = Stu3Cases.withContext(Stu3Cases.read(example));
		List<String> said = outcomes(stu3Response(http.post("/fhir/stu3", xml(bundle), STU3_XML)));
		assertThat(said).hasSize(bundle.getEntry().size())
			.allSatisfy(s -> assertThat(s).matches(
					"Mapped to ks-[a-z-]+: (created|updated to|unchanged) [A-Za-z]+/[^/ ]+/_history/\\d+|Left out: .+"));
	}

	@Test
	void collectionsDocumentsBatchesAndSingleResourcesAreAcceptedToo() throws IOException {
		org.hl7.fhir.dstu3.model.Bundle collection = Stu3Cases.woudenAs("collection")
			.setType(org.hl7.fhir.dstu3.model.Bundle.BundleType.COLLECTION);
		collection.getEntry().forEach(e -> e.setRequest(null));
		assertThat(outcomes(stu3Response(http.post("/fhir/stu3", json(collection), STU3_JSON)))).hasSize(14);

		org.hl7.fhir.dstu3.model.Bundle document = Stu3Cases.woudenAs("collection")
			.setType(org.hl7.fhir.dstu3.model.Bundle.BundleType.DOCUMENT);
		document.getEntry().forEach(e -> e.setRequest(null));
		org.hl7.fhir.dstu3.model.Composition composition = new org.hl7.fhir.dstu3.model.Composition()
			.setStatus(org.hl7.fhir.dstu3.model.Composition.CompositionStatus.FINAL)
			.setType(new org.hl7.fhir.dstu3.model.CodeableConcept(
					new org.hl7.fhir.dstu3.model.Coding("http://loinc.org", "15508-5", null)))
			.setDate(new java.util.Date())
			.setTitle("Samenvatting zwangerschap")
			.setSubject(new org.hl7.fhir.dstu3.model.Reference("Patient/XXX-VDWOUDEN"));
		composition.addAuthor(new org.hl7.fhir.dstu3.model.Reference("Practitioner/zorgverlener-delos"));
		composition.setId("samenvatting");
		document.getEntry()
			.add(0, new org.hl7.fhir.dstu3.model.Bundle.BundleEntryComponent().setResource(composition)
				.setFullUrl("https://ehr.vlk-a.example/fhir/Composition/samenvatting"));
		List<String> inDocument = outcomes(stu3Response(http.post("/fhir/stu3", json(document), STU3_JSON)));
		assertThat(inDocument.get(0)).startsWith("Left out: the document's sections are its entries");
		// the collection stored it already: the same resources as a document change
		// nothing
		assertThat(inDocument.get(1)).startsWith("Mapped to ks-mother: unchanged");

		org.hl7.fhir.dstu3.model.Bundle batch = Stu3Cases.woudenAs("batch")
			.setType(org.hl7.fhir.dstu3.model.Bundle.BundleType.BATCH);
		org.hl7.fhir.dstu3.model.Bundle response = stu3Response(http.post("/fhir/stu3", xml(batch), STU3_XML));
		assertThat(response.getType()).isEqualTo(org.hl7.fhir.dstu3.model.Bundle.BundleType.BATCHRESPONSE);

		// one resource alone, PUT under the sender's id, its subject named by BSN (the
		// child is known from the batch)
		org.hl7.fhir.dstu3.model.Observation weight = (org.hl7.fhir.dstu3.model.Observation) Stu3Cases
			.read(Stu3Cases.DIR.resolve("examples/BirthWeight.xml"));
		weight.setContext(null);
		weight.setId("batch-kind-weight");
		weight.getSubject()
			.setIdentifier(new org.hl7.fhir.dstu3.model.Identifier().setSystem("http://fhir.nl/fhir/NamingSystem/bsn")
				.setValue(Stu3Cases.bsn("batch-child")));
		FhirHttp.Response single = http.put("/fhir/stu3/Observation/batch-kind-weight", json(weight), STU3_JSON);
		assertThat(single.status()).as(single.body()).isEqualTo(200);
		assertThat(single.body()).contains("Mapped to ks-birth-weight: created Observation/");
		assertThat(http.put("/fhir/stu3/Observation/batch-kind-weight", json(weight), STU3_JSON).body())
			.contains("Mapped to ks-birth-weight: unchanged Observation/");
	}

}
