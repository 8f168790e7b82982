package nl.kansrijkestart.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import nl.kansrijkestart.gateway.support.DatabaseState;
import nl.kansrijkestart.gateway.support.FhirHttp;
import nl.kansrijkestart.gateway.support.GatewayTest;
import nl.kansrijkestart.tools.PregnancyGenerator;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Two birth-care organisations on one gateway: B can neither read, search, change,
 * reference nor detect what A submitted, and A's records stay exactly as they were
 * whatever B sends, including the same mother.
 */
@GatewayTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PartitionTest {

	@LocalServerPort
	int port;

	@Autowired
	JdbcTemplate jdbc;

	FhirHttp a;

	FhirHttp b;

	PregnancyGenerator.GeneratedPregnancy pregnancy;

	String motherId;

	String observationId;

	@BeforeAll
	void load() {
		a = new FhirHttp(port);
		b = a.as("vsv-b");
		pregnancy = new PregnancyGenerator(6001).next();
		FhirHttp.Response r = a.submit("/fhir", FhirHttp.json(pregnancy.bundle()));
		assertThat(r.status()).as(r.body()).isEqualTo(200);
		Bundle response = r.as(Bundle.class);
		motherId = id(response.getEntry().get(1));
		observationId = response.getEntry()
			.stream()
			.filter(e -> e.getResponse().getLocation().startsWith("Observation/"))
			.map(PartitionTest::id)
			.findFirst()
			.orElseThrow();
	}

	private static String id(Bundle.BundleEntryComponent e) {
		return e.getResponse().getLocation().split("/")[1];
	}

	@Test
	void anotherOrganisationsResourceIsNotFoundExactlyLikeAMissingOne() {
		for (String path : List.of("/fhir/Patient/%s", "/fhir/Patient/%s/_history", "/fhir/Patient/%s/_history/1")) {
			FhirHttp.Response foreign = b.get(path.formatted(motherId));
			FhirHttp.Response missing = b.get(path.formatted("00000000-0000-0000-0000-000000000000"));
			assertThat(foreign.status()).as(path).isEqualTo(404);
			assertThat(missing.status()).isEqualTo(404);
			assertThat(foreign.body().replace(motherId, "ID"))
				.isEqualTo(missing.body().replace("00000000-0000-0000-0000-000000000000", "ID"));
		}
		assertThat(a.get("/fhir/Patient/" + motherId).status()).isEqualTo(200);
	}

	@Test
	void searchesOnlyFindTheCallersOwnResources() {
		String byBsn = "/fhir/Patient?identifier=http://fhir.nl/fhir/NamingSystem/bsn|" + pregnancy.truth().motherBsn();
		assertThat(a.get(byBsn).as(Bundle.class).getTotal()).isEqualTo(1);
		assertThat(b.get(byBsn).as(Bundle.class).getTotal()).isZero();
		assertThat(b.get("/fhir/Patient?_id=" + motherId).as(Bundle.class).getTotal()).isZero();
		assertThat(b.get("/fhir/Observation?patient=" + motherId).as(Bundle.class).getTotal()).isZero();
		assertThat(b.get("/fhir/Observation?_id=" + observationId + "&_include=Observation:subject")
			.as(Bundle.class)
			.getEntry()).isEmpty();
		Bundle provenance = b.get("/fhir/Provenance?_count=500").as(Bundle.class);
		assertThat(provenance.getEntry())
			.allSatisfy(e -> assertThat(FhirHttp.json(e.getResource())).contains("90599101"));
	}

	@Test
	void anotherOrganisationCannotChangeOrReferenceAResource() {
		Patient mother = a.get("/fhir/Patient/" + motherId).as(Patient.class);
		DatabaseState before = DatabaseState.of(jdbc);
		String changed = FhirHttp.json(mother).replace("Synthetisch", "Overgenomen");
		assertThat(b.put("/fhir/Patient/" + motherId, changed, FhirHttp.JSON).status()).isEqualTo(404);
		assertThat(b.put("/fhir/Patient/" + motherId, changed, FhirHttp.JSON, "If-Match", "W/\"1\"").status())
			.isEqualTo(404);

		Observation observation = a.get("/fhir/Observation/" + observationId).as(Observation.class);
		observation.setId((String) null);
		observation.getIdentifier().forEach(i -> i.setValue(i.getValue() + "-b"));
		observation.setSubject(new Reference("Patient/" + motherId));
		FhirHttp.Response referencing = b.submit("/fhir/Observation", FhirHttp.json(observation));
		assertThat(referencing.status()).as(referencing.body()).isEqualTo(422);
		assertThat(referencing.body()).contains("does not exist");
		assertThat(DatabaseState.of(jdbc)).isEqualTo(before);
		assertThat(a.get("/fhir/Patient/" + motherId).as(Patient.class).getMeta().getVersionId()).isEqualTo("1");
	}

	@Test
	void theSameMotherFromAnotherOrganisationIsThatOrganisationsOwnRecord() {
		PregnancyGenerator.GeneratedPregnancy shared = new PregnancyGenerator(6002).next();
		FhirHttp.Response first = a.submit("/fhir", FhirHttp.json(shared.bundle()));
		assertThat(first.status()).isEqualTo(200);
		String motherOfA = id(first.as(Bundle.class).getEntry().get(1));
		FhirHttp.Response r = b.submit("/fhir", FhirHttp.json(shared.bundle()));
		assertThat(r.status()).as(r.body()).isEqualTo(200);
		Bundle response = r.as(Bundle.class);
		assertThat(response.getEntry()).allSatisfy(e -> assertThat(e.getResponse().getStatus()).startsWith("201"));
		String motherOfB = id(response.getEntry().get(1));
		assertThat(motherOfB).isNotEqualTo(motherOfA);
		String byBsn = "/fhir/Patient?identifier=http://fhir.nl/fhir/NamingSystem/bsn|" + shared.truth().motherBsn();
		assertThat(b.get(byBsn).as(Bundle.class).getEntryFirstRep().getResource().getIdElement().getIdPart())
			.isEqualTo(motherOfB);
		assertThat(a.get(byBsn).as(Bundle.class).getEntryFirstRep().getResource().getIdElement().getIdPart())
			.isEqualTo(motherOfA);
		assertThat(a.get("/fhir/Patient/" + motherOfA).as(Patient.class).getMeta().getVersionId()).isEqualTo("1");
	}

}
