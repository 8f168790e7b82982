package nl.kansrijkestart.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import nl.kansrijkestart.gateway.support.FhirHttp;
import nl.kansrijkestart.tools.PregnancyGenerator;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** The gateway as the README runs it: data posted before a restart is there after it. */
class RestartTest {

	@TempDir
	Path dataDirectory;

	private ConfigurableApplicationContext start() {
		return new SpringApplicationBuilder(GatewayApplication.class)
				.run("--server.port=0", "--spring.profiles.active=test", "--gateway.embedded-database.data-directory=" + dataDirectory);
	}

	private static int port(ConfigurableApplicationContext context) {
		return ((WebServerApplicationContext) context).getWebServer().getPort();
	}

	@Test
	void dataSurvivesARestart() {
		String location;
		try (ConfigurableApplicationContext first = start()) {
			FhirHttp http = new FhirHttp(port(first));
			FhirHttp.Response posted = http.submit("/fhir", FhirHttp.json(new PregnancyGenerator(401).next().bundle()));
			assertThat(posted.status()).isEqualTo(200);
			location = posted.as(Bundle.class).getEntry().get(1).getResponse().getLocation();
		}
		try (ConfigurableApplicationContext second = start()) {
			FhirHttp.Response read = new FhirHttp(port(second)).get("/fhir/" + location);
			assertThat(read.status()).isEqualTo(200);
			assertThat(read.body()).contains("Synthetisch");
		}
	}
}
