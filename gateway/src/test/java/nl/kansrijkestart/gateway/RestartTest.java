package nl.kansrijkestart.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import nl.kansrijkestart.gateway.consent.Purpose;
import nl.kansrijkestart.gateway.support.Consents;
import nl.kansrijkestart.gateway.support.Family;
import nl.kansrijkestart.gateway.support.FhirHttp;
import nl.kansrijkestart.tools.PregnancyGenerator;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/** The gateway as the README runs it: data posted before a restart is there after it. */
class RestartTest {

	@TempDir
	Path dataDirectory;

	private ConfigurableApplicationContext start(String... more) {
		List<String> args = new ArrayList<>(List.of("--server.port=0", "--spring.profiles.active=test",
				"--gateway.embedded-database.data-directory=" + dataDirectory));
		args.addAll(List.of(more));
		return new SpringApplicationBuilder(GatewayApplication.class).run(args.toArray(String[]::new));
	}

	private static int port(ConfigurableApplicationContext context) {
		return ((WebServerApplicationContext) context).getWebServer().getPort();
	}

	/**
	 * Data, the tokens the first run issued and a consent change queued in the database
	 * with its Consent, not yet processed when the gateway stops: all there after it
	 * starts again. One restart for all three (a start is the costly part).
	 */
	@Test
	void dataTokensAndQueuedWorkSurviveARestart() {
		// On a shared external database the test contexts' pollers would take the queued
		// change.
		boolean ownDatabase = System.getenv("SPRING_DATASOURCE_URL") == null;
		String queued = "select count(*) from int_channel_message";
		String location;
		String token;
		try (ConfigurableApplicationContext first = start("--gateway.consent.changes.poll-interval=1h")) {
			FhirHttp http = new FhirHttp(port(first));
			token = http.token("vsv-a");
			FhirHttp.Response posted = http.submit("/fhir", FhirHttp.json(new PregnancyGenerator(401).next().bundle()));
			assertThat(posted.status()).isEqualTo(200);
			location = posted.as(Bundle.class).getEntry().get(1).getResponse().getLocation();
			// Its poller has polled once, at startup; the next poll is an hour away.
			Family.submit(http, new PregnancyGenerator(402).next(), (mother, child) -> List.of(Consents.simple("p",
					mother, "2024-03-01T10:00:00+01:00", true, Purpose.HANDOVER, Purpose.MONITORING)));
			if (ownDatabase) {
				assertThat(first.getBean(JdbcTemplate.class).queryForObject(queued, Long.class)).isPositive();
			}
		}
		try (ConfigurableApplicationContext second = start()) {
			// The local issuer's key is kept in the database.
			FhirHttp.Response read = new FhirHttp(port(second)).as(null)
				.get("/fhir/" + location, "Authorization", "Bearer " + token);
			assertThat(read.status()).as(read.body()).isEqualTo(200);
			assertThat(read.body()).contains("Synthetisch");
			if (ownDatabase) {
				JdbcTemplate jdbc = second.getBean(JdbcTemplate.class);
				await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForObject(queued, Long.class) == 0);
			}
		}
	}

}
