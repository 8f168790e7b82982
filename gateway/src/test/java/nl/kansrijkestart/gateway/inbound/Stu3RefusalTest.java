package nl.kansrijkestart.gateway.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.function.Consumer;
import nl.kansrijkestart.gateway.support.FhirHttp;
import nl.kansrijkestart.gateway.support.GatewayTest;
import nl.kansrijkestart.gateway.support.RefusedRequests;
import org.hl7.fhir.dstu3.model.Bundle;
import org.hl7.fhir.dstu3.model.CodeableConcept;
import org.hl7.fhir.dstu3.model.Coding;
import org.hl7.fhir.dstu3.model.Observation;
import org.hl7.fhir.dstu3.model.Patient;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.Test;

/**
 * What the STU3 door refuses, each with an OperationOutcome in the sender's terms (the
 * STU3 path, the PWD concept where the mapping knows it) and nothing stored.
 */
@GatewayTest
class Stu3RefusalTest extends RefusedRequests {

	private static final String STU3_JSON = Stu3IntakeTest.STU3_JSON;

	/**
	 * The Wouden case with one resource changed: entry 0 is the woman, 1 the child, 8 the
	 * pattern of delivery.
	 */
	private static String woudenWith(int entry, Consumer<org.hl7.fhir.dstu3.model.Resource> change) throws IOException {
		Bundle bundle = Stu3Cases.woudenAs("refused");
		change.accept(bundle.getEntry().get(entry).getResource());
		return Stu3IntakeTest.json(bundle);
	}

	private static void namesThePath(OperationOutcome oo, String stu3Path) {
		assertThat(oo.getIssue()).filteredOn(i -> i.getSeverity() == OperationOutcome.IssueSeverity.ERROR)
			.anySatisfy(i -> assertThat(i.getExpression()).extracting(e -> e.getValue()).contains(stu3Path));
	}

	@Test
	void anotherFhirVersionIs415() throws IOException {
		refused(http.post("/fhir/stu3", Stu3IntakeTest.json(Stu3Cases.wouden()),
				"application/fhir+json; fhirVersion=4.0"), 415, "post R4 to /fhir");
	}

	@Test
	void anR4ResourceIsNotStu3() {
		String r4 = "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"x\"},"
				+ "\"encounter\":{\"reference\":\"Encounter/1\"}}";
		refused(http.post("/fhir/stu3/Observation", r4, STU3_JSON), 400, "encounter");
	}

	@Test
	void anStu3ResourceMissingWhatStu3RequiresIs400WithItsPath() throws IOException {
		OperationOutcome oo = refused(
				http.post("/fhir/stu3", woudenWith(9, r -> ((Observation) r).setStatus(null)), STU3_JSON), 400,
				"Bundle.entry[9].resource.status: required in STU3 (1..1) but missing");
		assertThat(oo.getIssueFirstRep().getDiagnostics()).doesNotContain("R4");
	}

	@Test
	void aPatternOfDeliveryWithoutKsEquivalentIs422AtItsStu3Path() throws IOException {
		OperationOutcome oo = refused(http.post("/fhir/stu3",
				woudenWith(8,
						r -> ((Observation) r).setValue(new CodeableConcept(
								new Coding("http://snomed.info/sct", "3311000146109", "vaginale kunstverlossing")))),
				STU3_JSON), 422, "3311000146109");
		namesThePath(oo, "Bundle.entry[8].resource.valueCodeableConcept");
	}

	@Test
	void anUnknownMunicipalityIs422() throws IOException {
		long audited = jdbc
			.queryForObject("select count(*) from audit_event where subtype = 'stu3-transaction' and outcome = 4"
					+ " and client_id = 'vsv-a' and content::text like '%422%'", Long.class);
		OperationOutcome oo = refused(http.post("/fhir/stu3",
				woudenWith(0, r -> ((Patient) r).getAddressFirstRep().setDistrict("Atlantis")), STU3_JSON), 422,
				"'Atlantis' is not a Dutch municipality");
		namesThePath(oo, "Bundle.entry[0].resource.address.district");
		// the refusal is in the audit trail, without what was sent
		assertThat(jdbc
			.queryForObject("select count(*) from audit_event where subtype = 'stu3-transaction' and outcome = 4"
					+ " and client_id = 'vsv-a' and content::text like '%422%'", Long.class))
			.isEqualTo(audited + 1);
		assertThat(jdbc.queryForObject("select count(*) from audit_event where content::text like '%Atlantis%'",
				Long.class))
			.isZero();
	}

	@Test
	void anAmbiguousMunicipalityIs422NamingBoth() throws IOException {
		OperationOutcome oo = refused(http.post("/fhir/stu3",
				woudenWith(0, r -> ((Patient) r).getAddressFirstRep().setDistrict("Bergen")), STU3_JSON), 422,
				"'Bergen' is ambiguous");
		assertThat(oo.getIssueFirstRep().getDiagnostics()).contains("Bergen (NH.) (GM0373)", "Bergen (L.) (GM0893)",
				"PWD concept peri32-dataelement-3287");
	}

	@Test
	void aBsnFailingTheElfproefIs422AtTheStu3Path() throws IOException {
		OperationOutcome oo = refused(http.post("/fhir/stu3",
				woudenWith(0, r -> ((Patient) r).getIdentifierFirstRep().setValue("999910414")), STU3_JSON), 422);
		assertThat(oo.getIssue()).anySatisfy(i -> {
			assertThat(i.getExpression().get(0).getValue()).startsWith("Bundle.entry[0].resource.identifier");
			assertThat(i.getDiagnostics()).contains("as ks-mother").contains("R4 after mapping");
		});
	}

	@Test
	void aChildWithoutBsnIs422NamingTheSentChild() throws IOException {
		OperationOutcome oo = refused(
				http.post("/fhir/stu3", woudenWith(1, r -> ((Patient) r).getIdentifier().clear()), STU3_JSON), 422);
		assertThat(oo.getIssue()).anySatisfy(i -> assertThat(i.getDiagnostics())
			.startsWith("At Bundle.entry[1].resource (Patient/XXX-KIND2VDWOUDEN as ks-child)")
			.contains("identifier"));
	}

	@Test
	void aSmokingAnswerWithoutKsEquivalentIs422() throws IOException {
		Bundle bundle = Stu3Cases.woudenAs("refused");
		Observation smoking = new Observation().setStatus(Observation.ObservationStatus.FINAL)
			.setCode(new CodeableConcept(new Coding("http://snomed.info/sct", "365980008", "tabakgebruik")))
			.setSubject(new org.hl7.fhir.dstu3.model.Reference("Patient/XXX-VDWOUDEN"))
			.setContext(new org.hl7.fhir.dstu3.model.Reference("EpisodeOfCare/refused-dossier"))
			.setEffective(new org.hl7.fhir.dstu3.model.DateTimeType("2016-11-01"))
			.setValue(new CodeableConcept(
					new Coding("http://snomed.info/sct", "428041000124106", "occasional tobacco smoker")));
		smoking.setId("rookgedrag");
		bundle.addEntry().setFullUrl("https://ehr.vlk-a.example/fhir/Observation/rookgedrag").setResource(smoking);
		OperationOutcome oo = refused(http.post("/fhir/stu3", Stu3IntakeTest.json(bundle), STU3_JSON), 422,
				"428041000124106");
		namesThePath(oo, "Bundle.entry[14].resource.valueCodeableConcept");
	}

	@Test
	void withoutATokenOrWithAJgzTokenNothingIsRead() throws IOException {
		String body = Stu3IntakeTest.json(Stu3Cases.woudenAs("refused"));
		refused(http.as(null).post("/fhir/stu3", body, STU3_JSON), 401);
		refused(http.as("jgz-a").post("/fhir/stu3", body, STU3_JSON), 403, "may not");
	}

	@Test
	void malformedXmlIs400() {
		FhirHttp.Response r = http.post("/fhir/stu3",
				"<Bundle xmlns=\"http://hl7.org/fhir\"><type value=\"transaction\"/>",
				"application/fhir+xml; fhirVersion=3.0");
		refused(r, 400);
	}

}
