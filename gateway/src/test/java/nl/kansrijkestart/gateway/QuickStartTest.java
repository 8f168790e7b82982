package nl.kansrijkestart.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The README's quick start, run as written (bash and curl) against a gateway started with
 * its default configuration: embedded database, local issuer, demo clients. Only the port
 * differs.
 */
class QuickStartTest {

	private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

	@Test
	void theReadmeQuickStartWorksAsWritten() throws IOException, InterruptedException {
		String readme = Files.readString(ROOT.resolve("README.md"));
		String block = readme.substring(readme.indexOf("<!-- quick-start:begin -->"),
				readme.indexOf("<!-- quick-start:end -->"));
		String script = block.substring(block.indexOf("```bash") + "```bash".length(), block.lastIndexOf("```"));
		Path data = Path.of("target/quick-start", UUID.randomUUID().toString(), "postgres");
		try (ConfigurableApplicationContext gateway = new SpringApplicationBuilder(GatewayApplication.class)
			.run("--server.port=0", "--spring.datasource.url=", "--gateway.embedded-database.data-directory=" + data)) {
			int port = ((WebServerApplicationContext) gateway).getWebServer().getPort();
			Process bash = new ProcessBuilder("bash", "-eu", "-c",
					script.replace("localhost:8080", "localhost:" + port))
				.directory(ROOT.toFile())
				.redirectErrorStream(true)
				.start();
			assertThat(bash.waitFor(60, TimeUnit.SECONDS)).isTrue();
			String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			assertThat(bash.exitValue()).as(output).isZero();
			String[] lines = output.strip().split("\n");
			assertThat(lines[0]).as(output).contains("\"type\":\"transaction-response\"");
			assertThat(lines[1]).contains("\"type\":\"searchset\"").contains("\"total\":1");
			// the handover documents, element by element, as a reader checks them against
			// mappings/reference/bds/
			assertThat(lines).as(output)
				.anyMatch(l -> l.matches("prenatal \\| BDS 1581 \\| Moeder heeft kinkhoestvaccinatie .+ \\| false"))
				.anyMatch(l -> l.matches("postnatal \\| BDS 110 \\| Geboortegewicht \\| \\d+ g"))
				.anyMatch(l -> l.matches("postnatal \\| BDS 113 \\| Hoofdomtrek bij geboorte \\| \\d+ mm"))
				.contains(
						"postnatal | BDS 747 | Melkvoeding op geboortedag | 03 Kunstvoeding (urn:oid:2.16.840.1.113883.2.4.4.40.307)");
		}
		assertThat(data.getParent().resolve("pseudonym-secret")).as("the embedded default's own pseudonym secret")
			.exists();
	}

}
