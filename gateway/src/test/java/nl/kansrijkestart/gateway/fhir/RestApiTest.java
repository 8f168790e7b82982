package nl.kansrijkestart.gateway.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import nl.kansrijkestart.gateway.support.FhirHttp;
import nl.kansrijkestart.gateway.support.GatewayTest;
import nl.kansrijkestart.tools.PregnancyGenerator;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.ResourceType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The REST surface: reads, versions, history, search with paging and _include, XML,
 * batch, metadata.
 */
@GatewayTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestApiTest {

	@LocalServerPort
	int port;

	FhirHttp http;

	PregnancyGenerator.GeneratedPregnancy pregnancy;

	String motherId;

	Bundle response;

	@BeforeAll
	void load() {
		http = new FhirHttp(port);
		pregnancy = new PregnancyGenerator(301).next();
		FhirHttp.Response r = http.submit("/fhir", FhirHttp.json(pregnancy.bundle()));
		assertThat(r.status()).as(r.body()).isEqualTo(200);
		response = r.as(Bundle.class);
		motherId = idOf(response.getEntry().get(1));
	}

	private static String idOf(Bundle.BundleEntryComponent entry) {
		String location = entry.getResponse().getLocation();
		return location.substring(location.indexOf('/') + 1, location.indexOf("/_history"));
	}

	@Test
	void readVreadAndHistory() {
		Patient mother = http.get("/fhir/Patient/" + motherId).as(Patient.class);
		assertThat(mother.getMeta().getVersionId()).isEqualTo("1");
		assertThat(mother.getMeta().getProfile()).extracting(p -> p.getValue())
			.contains(PregnancyGenerator.PROFILE + "ks-mother");

		String changed = FhirHttp.json(mother).replace("Synthetisch", "Veranderd");
		FhirHttp.Response updated = http.put("/fhir/Patient/" + motherId, changed, FhirHttp.JSON, "If-Match",
				"W/\"1\"");
		assertThat(updated.status()).as(updated.body()).isEqualTo(200);
		assertThat(updated.header("ETag")).isEqualTo("W/\"2\"");

		assertThat(
				http.get("/fhir/Patient/" + motherId + "/_history/1").as(Patient.class).getNameFirstRep().getFamily())
			.isEqualTo("Synthetisch");
		assertThat(
				http.get("/fhir/Patient/" + motherId + "/_history/2").as(Patient.class).getNameFirstRep().getFamily())
			.isEqualTo("Veranderd");
		Bundle history = http.get("/fhir/Patient/" + motherId + "/_history").as(Bundle.class);
		assertThat(history.getType()).isEqualTo(Bundle.BundleType.HISTORY);
		assertThat(history.getEntry()).hasSize(2);
		assertThat(http.get("/fhir/Patient/" + motherId + "/_history/9").status()).isEqualTo(404);
		assertThat(http.get("/fhir/Patient/nope").status()).isEqualTo(404);
	}

	@Test
	void unchangedSingleUpdateAnswersTheCurrentVersion() {
		Patient child = (Patient) response.getEntry()
			.stream()
			.map(Bundle.BundleEntryComponent::getResponse)
			.filter(r -> r.getLocation().startsWith("Patient/") && !r.getLocation().contains(motherId))
			.findFirst()
			.map(r -> http.get("/fhir/" + r.getLocation().replaceAll("/_history/.*", "")).as(Patient.class))
			.orElseThrow();
		String id = child.getIdElement().getIdPart();
		FhirHttp.Response same = http.put("/fhir/Patient/" + id, FhirHttp.json(child), FhirHttp.JSON);
		assertThat(same.status()).as(same.body()).isEqualTo(200);
		assertThat(same.header("ETag")).isEqualTo("W/\"1\"");
		assertThat(same.as(Patient.class).getBirthDateElement().getValueAsString())
			.isEqualTo(child.getBirthDateElement().getValueAsString());
	}

	@Test
	void everyTransactionHasAProvenanceNamingTheOrganisationAndTargets() {
		Bundle provenances = http.get("/fhir/Provenance?target=Patient/" + motherId).as(Bundle.class);
		assertThat(provenances.getEntry()).isNotEmpty();
		Provenance p = (Provenance) provenances.getEntry().get(0).getResource();
		assertThat(p.getAgentFirstRep().getWho().getIdentifier().getValue()).isEqualTo("90363101");
		assertThat(p.getTarget()).hasSizeGreaterThanOrEqualTo(response.getEntry().size() - 1);
	}

	@Test
	void searchByIdentifierPatientCodeAndDate() {
		String bsn = pregnancy.truth().motherBsn();
		Bundle byBsn = http.get("/fhir/Patient?identifier=" + PregnancyGenerator.BSN + "|" + bsn).as(Bundle.class);
		assertThat(byBsn.getTotal()).isEqualTo(1);

		Bundle observations = http
			.get("/fhir/Observation?patient=" + motherId + "&code=http://snomed.info/sct|161732006")
			.as(Bundle.class);
		assertThat(observations.getTotal()).isEqualTo(1);
		assertThat(((Observation) observations.getEntry().get(0).getResource()).getCode().getCodingFirstRep().getCode())
			.isEqualTo("161732006");

		String day = pregnancy.truth().birthDate().toString();
		Bundle births = http.get("/fhir/Procedure?subject=Patient/" + motherId + "&date=" + day).as(Bundle.class);
		assertThat(births.getTotal()).isEqualTo(pregnancy.truth().children().size());
		assertThat(http.get("/fhir/Procedure?subject=Patient/" + motherId + "&date=lt2000-01-01")
			.as(Bundle.class)
			.getTotal()).isZero();
		assertThat(
				http.get("/fhir/Observation?_lastUpdated=gt2000-01-01&patient=" + motherId).as(Bundle.class).getTotal())
			.isGreaterThan(5);
		assertThat(http.get("/fhir/Patient?_id=" + motherId).as(Bundle.class).getTotal()).isEqualTo(1);
	}

	@Test
	void pagingWithCountAndOffsetLinks() {
		Bundle page1 = http.get("/fhir/Observation?patient=" + motherId + "&_count=3&_sort=_lastUpdated")
			.as(Bundle.class);
		assertThat(page1.getEntry()).hasSize(3);
		assertThat(page1.getTotal()).isGreaterThan(6);
		String next = page1.getLink("next").getUrl();
		assertThat(next).contains("_offset=3").contains("_count=3");
		Bundle page2 = http.get(next.substring(next.indexOf("/fhir"))).as(Bundle.class);
		assertThat(page2.getEntry()).hasSize(3);
		List<String> ids1 = page1.getEntry().stream().map(e -> e.getResource().getIdElement().getIdPart()).toList();
		assertThat(page2.getEntry()).noneMatch(e -> ids1.contains(e.getResource().getIdElement().getIdPart()));
	}

	@Test
	void includeBringsTheReferencedPatient() {
		Bundle result = http.get("/fhir/Observation?patient=" + motherId + "&_include=Observation:subject&_count=5")
			.as(Bundle.class);
		assertThat(result.getEntry()).anySatisfy(e -> {
			assertThat(e.getSearch().getMode()).isEqualTo(Bundle.SearchEntryMode.INCLUDE);
			assertThat(e.getResource().getResourceType()).isEqualTo(ResourceType.Patient);
		});
	}

	@Test
	void unknownParametersAreIgnoredAndLeftOutOfTheSelfLink() {
		FhirHttp.Response lenient = http.get("/fhir/Patient?identifier=" + PregnancyGenerator.BSN + "|"
				+ pregnancy.truth().motherBsn() + "&colour=blue");
		assertThat(lenient.status()).isEqualTo(200);
		Bundle bundle = lenient.as(Bundle.class);
		assertThat(bundle.getTotal()).isEqualTo(1);
		assertThat(bundle.getLink("self").getUrl()).doesNotContain("colour").contains("identifier");

		FhirHttp.Response strict = http.get("/fhir/Patient?colour=blue", "Prefer", "handling=strict");
		assertThat(strict.status()).isEqualTo(400);
		assertThat(strict.outcome().getIssueFirstRep().getDiagnostics()).contains("colour");
	}

	@Test
	void xmlTransactionIsAcceptedAndReadableAsXml() {
		String xml = FhirHttp.xml(new PregnancyGenerator(302).next().bundle());
		FhirHttp.Response r = http.post("/fhir", xml, "application/fhir+xml");
		assertThat(r.status()).as(r.body()).isEqualTo(200);
		Bundle result = r.as(Bundle.class);
		FhirHttp.Response read = http.get(
				"/fhir/" + result.getEntry().get(1).getResponse().getLocation().replaceAll("/_history/.*", ""),
				"Accept", "application/fhir+xml");
		assertThat(read.body()).startsWith("<Patient");
	}

	@Test
	void batchReportsEachEntry() {
		Bundle batch = new PregnancyGenerator(303).next().bundle().setType(Bundle.BundleType.BATCH);
		// A batch cannot use placeholders between entries: send the organisation and the
		// mother only, one of them invalid.
		batch.getEntry().subList(2, batch.getEntry().size()).clear();
		((Patient) batch.getEntry().get(1).getResource()).setBirthDate(null);
		FhirHttp.Response r = http.submit("/fhir", FhirHttp.json(batch));
		assertThat(r.status()).as(r.body()).isEqualTo(200);
		Bundle result = r.as(Bundle.class);
		assertThat(result.getType()).isEqualTo(Bundle.BundleType.BATCHRESPONSE);
		assertThat(result.getEntry().get(0).getResponse().getStatus()).matches("20[01] .*");
		assertThat(result.getEntry().get(1).getResponse().getStatus()).startsWith("422");
		assertThat(result.getEntry().get(1).getResponse().getOutcome()).isNotNull();
	}

	@Test
	void capabilityStatementListsWhatIsSupported() {
		CapabilityStatement cs = http.get("/fhir/metadata").as(CapabilityStatement.class);
		var rest = cs.getRestFirstRep();
		assertThat(rest.getInteraction()).extracting(i -> i.getCode().toCode()).contains("transaction", "batch");
		var observation = rest.getResource()
			.stream()
			.filter(r -> r.getType().equals("Observation"))
			.findFirst()
			.orElseThrow();
		assertThat(observation.getInteraction()).extracting(i -> i.getCode().toCode())
			.contains("read", "vread", "history-instance", "create", "update", "search-type");
		assertThat(observation.getSearchParam()).extracting(p -> p.getName())
			.contains("code", "patient", "subject", "date", "identifier");
		assertThat(observation.getSupportedProfile()).extracting(p -> p.getValue())
			.contains(PregnancyGenerator.PROFILE + "ks-birth-weight");
		assertThat(observation.getSearchInclude()).extracting(p -> p.getValue())
			.contains("Observation:subject")
			.noneMatch(i -> i.startsWith("Procedure"));
		var provenance = rest.getResource()
			.stream()
			.filter(r -> r.getType().equals("Provenance"))
			.findFirst()
			.orElseThrow();
		assertThat(provenance.getInteraction()).extracting(i -> i.getCode().toCode())
			.doesNotContain("create", "update");
		assertThat(rest.getResource()).extracting(r -> r.getType()).doesNotContain("MedicationRequest");
		var oauthUris = rest.getSecurity().getExtensionByUrl(CapabilityStatementCustomizer.OAUTH_URIS);
		assertThat(oauthUris.getExtensionString("token")).isEqualTo("http://localhost:" + port + "/oauth2/token");
		assertThat(oauthUris.getExtensionString("authorize"))
			.isEqualTo("http://localhost:" + port + "/oauth2/authorize");
	}

	/**
	 * SMART discovery, without a token, at the FHIR base and the root; its token endpoint
	 * gives a token that works.
	 */
	@Test
	void smartDiscoveryNamesTheTokenEndpoint() throws Exception {
		FhirHttp anonymous = http.as(null);
		for (String path : SmartDiscovery.PATHS) {
			FhirHttp.Response r = anonymous.get(path);
			assertThat(r.status()).as(path).isEqualTo(200);
			assertThat(r.header("Content-Type")).startsWith("application/json");
			var configuration = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
			assertThat(configuration.get("token_endpoint").asText())
				.isEqualTo("http://localhost:" + port + "/oauth2/token");
			assertThat(configuration.get("authorization_endpoint").asText())
				.isEqualTo("http://localhost:" + port + "/oauth2/authorize");
			assertThat(configuration.get("grant_types_supported").toString()).contains("client_credentials");
			assertThat(configuration.get("capabilities").toString()).contains("client-confidential-symmetric");
		}
		FhirHttp.Response token = anonymous.post("/oauth2/token",
				"grant_type=client_credentials&client_id=monitoring&client_secret=" + FhirHttp.TEST_SECRET,
				"application/x-www-form-urlencoded");
		assertThat(token.status()).as(token.body()).isEqualTo(200);
		String accessToken = new com.fasterxml.jackson.databind.ObjectMapper().readTree(token.body())
			.get("access_token")
			.asText();
		assertThat(anonymous.get("/fhir/Measure", "Authorization", "Bearer " + accessToken).status()).isEqualTo(200);
		FhirHttp.Response post = anonymous.post(SmartDiscovery.PATHS.get(0), "{}", "application/json");
		assertThat(post.status()).isEqualTo(405);
		assertThat(post.body()).contains("OperationOutcome");
	}

}
