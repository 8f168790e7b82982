package nl.kansrijkestart.gateway.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import nl.kansrijkestart.gateway.consent.Purpose;
import nl.kansrijkestart.gateway.support.Consents;
import nl.kansrijkestart.gateway.support.Family;
import nl.kansrijkestart.gateway.support.FhirHttp;
import nl.kansrijkestart.gateway.support.GatewayTest;
import nl.kansrijkestart.tools.PregnancyGenerator;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.MeasureReport;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;

/**
 * With monitoring configured opt-out, everyone without an objection counts; an objection
 * leaves that person out.
 */
@GatewayTest
@TestPropertySource(properties = "gateway.consent.monitoring=opt-out")
class MonitoringOptOutTest {

	@LocalServerPort
	int port;

	@Autowired
	JdbcTemplate jdbc;

	@Test
	void everyoneWithoutAnObjectionCounts() {
		FhirHttp http = new FhirHttp(port);
		PregnancyGenerator generator = new PregnancyGenerator(62_000);
		int births = 0;
		int objected = 0;
		int year = 2024;
		for (int i = 0; i < 24; i++) {
			var pregnancy = generator.next();
			boolean objects = i < 6;
			Family.submit(http, pregnancy, (mother, child) -> objects ? List
				.of(Consents.simple("objection", mother, "2023-06-01T10:00:00+02:00", false, Purpose.MONITORING))
					: List.of());
			if (pregnancy.truth().birthDate().getYear() == year) {
				births += pregnancy.truth().children().size();
				objected += objects ? pregnancy.truth().children().size() : 0;
			}
		}
		await().atMost(Duration.ofSeconds(60))
			.until(() -> jdbc.queryForObject(
					"select (select count(*) from int_channel_message)" + " + (select count(*) from monitoring_check)",
					Long.class) == 0);
		MeasureReport report = http.as("monitoring")
			.get("/fhir/Measure/ks-preterm/$evaluate-measure?periodStart=2024-01&periodEnd=2024-12")
			.as(MeasureReport.class);
		var group = report.getGroupFirstRep();
		long denominator = group.getPopulation()
			.stream()
			.filter(p -> p.getCode().getCodingFirstRep().getCode().equals("denominator"))
			.findFirst()
			.orElseThrow()
			.getCount();
		// Opt-in would count nobody here: nobody gave a permit.
		assertThat(denominator).isEqualTo(births - objected);
		Integer excluded = ((IntegerType) group.getExtensionByUrl(Indicators.EXCLUDED).getValue()).getValue();
		if (excluded != null) {
			assertThat(excluded).isEqualTo(objected);
		}
		CapabilityStatement cs = http.as(null).get("/fhir/metadata").as(CapabilityStatement.class);
		assertThat(cs.getExtensionByUrl("https://kansrijkestart.nl/fhir/StructureDefinition/ks-ext-consent-policy")
			.getExtensionByUrl("monitoring")
			.getValue()
			.primitiveValue()).isEqualTo("opt-out");
	}

}
