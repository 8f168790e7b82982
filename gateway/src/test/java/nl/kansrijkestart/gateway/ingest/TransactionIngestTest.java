package nl.kansrijkestart.gateway.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import nl.kansrijkestart.gateway.support.FhirHttp;
import nl.kansrijkestart.gateway.support.GatewayTest;
import nl.kansrijkestart.tools.PregnancyGenerator;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

@GatewayTest
class TransactionIngestTest {

	@LocalServerPort
	int port;

	FhirHttp http;

	@BeforeEach
	void setUp() {
		http = new FhirHttp(port);
	}

	@Test
	void generatedPregnancyIsStoredAndReadable() {
		var pregnancy = new PregnancyGenerator(1).next();
		FhirHttp.Response response = http.submit("/fhir", FhirHttp.json(pregnancy.bundle()));
		assertThat(response.status()).as(response.body()).isEqualTo(200);
		Bundle result = response.as(Bundle.class);
		assertThat(result.getEntry()).hasSameSizeAs(pregnancy.bundle().getEntry());
		// The VSV's Organization (conditional create) may exist already; everything else
		// is new.
		assertThat(result.getEntry().subList(1, result.getEntry().size()))
			.allSatisfy(e -> assertThat(e.getResponse().getStatus()).isEqualTo("201 Created"));
		String motherLocation = result.getEntry().get(1).getResponse().getLocation();
		FhirHttp.Response mother = http
			.get("/fhir/" + motherLocation.substring(0, motherLocation.indexOf("/_history")));
		assertThat(mother.status()).isEqualTo(200);
		assertThat(mother.as(Patient.class).getIdentifierFirstRep().getValue())
			.isEqualTo(pregnancy.truth().motherBsn());
	}

}
