package nl.kansrijkestart.gateway.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import nl.kansrijkestart.gateway.support.DatabaseState;
import nl.kansrijkestart.gateway.support.FhirHttp;
import nl.kansrijkestart.gateway.support.GatewayTest;
import nl.kansrijkestart.gateway.support.RefusedRequests;
import nl.kansrijkestart.tools.PregnancyGenerator;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;

/**
 * Every kind of bad input gets its status and an OperationOutcome, and leaves the
 * database as it was.
 */
@GatewayTest
class BadInputTest extends RefusedRequests {

	private static Bundle pregnancy(long seed) {
		return new PregnancyGenerator(seed).next().bundle();
	}

	@Test
	void malformedJsonIs400() {
		refused(http.submit("/fhir", "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["), 400);
	}

	@Test
	void malformedXmlIs400() {
		String xml = FhirHttp.xml(pregnancy(201));
		refused(http.post("/fhir", xml.substring(0, xml.length() / 2), "application/fhir+xml"), 400);
	}

	@Test
	void wrongContentTypeIs415() {
		refused(http.post("/fhir", FhirHttp.json(pregnancy(202)), "text/plain"), 415);
	}

	@Test
	void missingContentTypeIs415() {
		refused(http.post("/fhir", FhirHttp.json(pregnancy(203)), null), 415);
	}

	@Test
	void bodyOverTheLimitIs413() {
		String huge = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"id\":\"" + "x".repeat(11 * 1024 * 1024)
				+ "\"}";
		refused(http.submit("/fhir", huge), 413);
	}

	@Test
	void chunkedBodyOverTheLimitIs413() {
		byte[] huge = ("{\"resourceType\":\"Bundle\",\"id\":\"" + "x".repeat(11 * 1024 * 1024) + "\"}")
			.getBytes(StandardCharsets.UTF_8);
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/fhir"))
			.header("Content-Type", FhirHttp.JSON)
			.POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(huge)));
		refused(http.send(request), 413);
	}

	@Test
	void xmlWithExternalEntityIsRefusedAndNothingIsRead() {
		String xml = "<?xml version=\"1.0\"?><!DOCTYPE Patient [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
				+ "<Patient xmlns=\"http://hl7.org/fhir\"><name><family value=\"&xxe;\"/></name></Patient>";
		FhirHttp.Response response = http.post("/fhir/Patient", xml, "application/fhir+xml");
		OperationOutcome oo = refused(response, 400);
		assertThat(response.body()).doesNotContain("root:");
		assertThat(oo.getIssueFirstRep().getDiagnostics()).contains("document type declaration");
	}

	@Test
	void invalidBsnIs422WithTheElfproefPath() {
		Bundle bundle = pregnancy(204);
		Patient mother = (Patient) bundle.getEntry().get(1).getResource();
		mother.getIdentifierFirstRep().setValue("123456789");
		bundle.getEntry()
			.get(1)
			.getRequest()
			.setUrl("Patient?identifier=http://fhir.nl/fhir/NamingSystem/bsn|123456789");
		OperationOutcome oo = refused(http.submit("/fhir", FhirHttp.json(bundle)), 422);
		assertThat(oo.getIssue()).anySatisfy(i -> {
			assertThat(i.getSeverity()).isEqualTo(OperationOutcome.IssueSeverity.ERROR);
			assertThat(i.getExpression().get(0).getValue()).isEqualTo("Bundle.entry[1].resource.identifier[0]");
			assertThat(i.getDiagnostics()).contains("elfproef");
		});
	}

	@Test
	void anUnknownMunicipalityIs422NamingTheCode() {
		Bundle bundle = nl.kansrijkestart.gateway.support.Pregnancies.livingIn(pregnancy(206), "GM9999");
		OperationOutcome oo = refused(http.submit("/fhir", FhirHttp.json(bundle)), 422);
		assertThat(oo.getIssue()).anySatisfy(i -> {
			assertThat(i.getSeverity()).isEqualTo(OperationOutcome.IssueSeverity.ERROR);
			assertThat(i.getDiagnostics()).contains("GM9999");
			assertThat(i.getExpression().get(0).getValue())
				.startsWith("Bundle.entry[1].resource.address[0].extension[0]");
		});
	}

	@Test
	void aUnitTheValidatorCannotParseIs422NotA500() {
		// found by the compiled checker's differential test: HAPI's UCUM parser overflows
		String json = FhirHttp.json(pregnancy(207)).replaceFirst("\"code\":\"g\"", "\"code\":\"99999999999\"");
		assertThat(json).contains("99999999999");
		OperationOutcome oo = refused(http.submit("/fhir", json), 422);
		assertThat(oo.getIssue()).anySatisfy(i -> {
			assertThat(i.getSeverity()).isEqualTo(OperationOutcome.IssueSeverity.ERROR);
			assertThat(i.getExpression().get(0).getValue()).startsWith("Bundle.entry[");
		});
	}

	@Test
	void everyErrorInTheBundleIsReportedAtOnce() {
		Bundle bundle = pregnancy(205);
		((Patient) bundle.getEntry().get(1).getResource()).getIdentifierFirstRep().setValue("111111111");
		((EpisodeOfCare) bundle.getEntry().get(2).getResource()).setManagingOrganization(null);
		String json = FhirHttp.json(bundle).replaceFirst("\"gender\":\"female\"", "\"gender\":\"vrouw\"");
		OperationOutcome oo = refused(http.submit("/fhir", json), 422);
		assertThat(oo.getIssue()
			.stream()
			.filter(i -> i.getSeverity() == OperationOutcome.IssueSeverity.ERROR)
			.map(i -> i.getExpression().get(0).getValue())).contains("Bundle.entry[1].resource.identifier[0]",
					"Bundle.entry[1].resource.gender", "Bundle.entry[2].resource");
	}

	@Test
	void placeholderReferenceThatResolvesToNothingIs422() {
		Bundle bundle = pregnancy(206);
		((EpisodeOfCare) bundle.getEntry().get(2).getResource())
			.setPatient(new Reference("urn:uuid:" + UUID.randomUUID()));
		OperationOutcome oo = refused(http.submit("/fhir", FhirHttp.json(bundle)), 422);
		assertThat(oo.getIssueFirstRep().getDiagnostics()).contains("does not resolve");
	}

	@Test
	void referenceToAMissingResourceIs422() {
		Bundle bundle = pregnancy(207);
		((EpisodeOfCare) bundle.getEntry().get(2).getResource()).setPatient(new Reference("Patient/does-not-exist"));
		OperationOutcome oo = refused(http.submit("/fhir", FhirHttp.json(bundle)), 422);
		assertThat(oo.getIssueFirstRep().getDiagnostics()).contains("does not exist");
	}

	@Test
	void resourceTypeWeDoNotAcceptIs422InABundle() {
		Bundle bundle = pregnancy(208);
		MedicationRequest mr = new MedicationRequest();
		bundle.addEntry()
			.setFullUrl("urn:uuid:" + UUID.randomUUID())
			.setResource(mr)
			.getRequest()
			.setMethod(Bundle.HTTPVerb.POST)
			.setUrl("MedicationRequest");
		OperationOutcome oo = refused(http.submit("/fhir", FhirHttp.json(bundle)), 422);
		assertThat(oo.getIssue()).anySatisfy(i -> assertThat(i.getDiagnostics()).contains("not accepted"));
	}

	@Test
	void unknownResourceTypeEndpointIsRefused() {
		FhirHttp.Response response = http.submit("/fhir/MedicationRequest", "{\"resourceType\":\"MedicationRequest\"}");
		assertThat(response.status()).isEqualTo(404);
		assertThat(response.outcome().getIssue()).isNotEmpty();
	}

	@Test
	void unknownResourceTypeInABundleIs400() {
		String json = FhirHttp.json(pregnancy(209))
			.replaceFirst("\"resourceType\":\"Organization\"", "\"resourceType\":\"Organisation\"");
		refused(http.submit("/fhir", json), 400);
	}

	@Test
	void staleIfMatchIs412() {
		Bundle bundle = pregnancy(210);
		String motherJson = FhirHttp.json(bundle.getEntry().get(1).getResource());
		String url = "/fhir/" + bundle.getEntry().get(1).getRequest().getUrl();
		FhirHttp.Response created = http.put(url, motherJson, FhirHttp.JSON);
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		before = DatabaseState.of(jdbc);
		String changed = motherJson.replace("Synthetisch", "Gewijzigd");
		refused(http.put(url, changed, FhirHttp.JSON, "If-Match", "W/\"7\""), 412);
	}

	@Test
	void secondResourceWithTheSameIdentifierIs409() {
		Bundle bundle = pregnancy(211);
		String motherJson = FhirHttp.json(bundle.getEntry().get(1).getResource());
		assertThat(http.submit("/fhir/Patient", motherJson).status()).isEqualTo(201);
		before = DatabaseState.of(jdbc);
		refused(http.submit("/fhir/Patient", motherJson.replace("Synthetisch", "Anders")), 409);
	}

	@Test
	void writesWithoutATokenAre401() {
		refused(http.as(null).post("/fhir", FhirHttp.json(pregnancy(212)), FhirHttp.JSON), 401);
	}

	@Test
	void onlyTransactionAndBatchBundlesArePosted() {
		Bundle bundle = pregnancy(213).setType(Bundle.BundleType.COLLECTION);
		refused(http.submit("/fhir", FhirHttp.json(bundle)), 400);
	}

	@Test
	void deleteEntriesAreRefused() {
		Bundle bundle = pregnancy(214);
		bundle.addEntry().getRequest().setMethod(Bundle.HTTPVerb.DELETE).setUrl("Patient/abc");
		refused(http.submit("/fhir", FhirHttp.json(bundle)), 400);
	}

}
