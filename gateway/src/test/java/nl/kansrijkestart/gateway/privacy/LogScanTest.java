package nl.kansrijkestart.gateway.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import nl.kansrijkestart.gateway.support.FhirHttp;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs last ({@link ClassOrderer.OrderAnnotation}): the log of the whole test run (target/test-run-*.log, one per build, the gateway's
 * own code at DEBUG) must not contain any BSN or name that any test sent, nor any BSN of the profile examples.
 */
@Order(Integer.MAX_VALUE)
class LogScanTest {

	private static final Path RUN_LOG = Path.of(System.getProperty("test.run.log", "target/test-run.log"));
	private static final Pattern EXAMPLE_BSN = Pattern.compile("NamingSystem/bsn\"\\s*,\\s*\"value\"\\s*:\\s*\"([0-9]{9})\"");

	@Test
	void theTestRunsLogHoldsNoBsnOrName() throws IOException {
		Set<String> personal = new HashSet<>(FhirHttp.SENT_PERSONAL_DATA);
		assertThat(personal).as("personal data sent by the tests before this one (run the whole suite)").hasSizeGreaterThan(50);
		personal.addAll(exampleBsns());
		assertThat(RUN_LOG).exists();
		String log = Files.readString(RUN_LOG, StandardCharsets.UTF_8);
		assertThat(log).as("the run log holds the gateway's own output").contains("Validator ready");
		assertThat(leaks(log, personal)).isEmpty();
	}

	@Test
	void theScanFindsAPlantedBsnAndName(@TempDir Path dir) throws IOException {
		Path log = dir.resolve("planted.log");
		Files.writeString(log, "INFO rejected Patient with identifier 999999990 of Jansen-Bakker\nINFO 1999999990 is no BSN");
		assertThat(leaks(Files.readString(log), Set.of("999999990", "Jansen-Bakker", "Visser")))
				.containsExactlyInAnyOrder("999999990", "Jansen-Bakker");
	}

	/** Values found in the log as whole words (a BSN inside a longer number is not one). */
	static List<String> leaks(String log, Set<String> values) {
		List<String> found = new ArrayList<>();
		for (String value : values) {
			if (Pattern.compile("(?<![0-9A-Za-z])" + Pattern.quote(value) + "(?![0-9A-Za-z])").matcher(log).find()) {
				found.add(value);
			}
		}
		return found;
	}

	private static Set<String> exampleBsns() throws IOException {
		Set<String> bsns = new HashSet<>();
		try (Stream<Path> files = Files.walk(Path.of("../profiles/examples"))) {
			for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
				Matcher m = EXAMPLE_BSN.matcher(Files.readString(file));
				while (m.find()) {
					bsns.add(m.group(1));
				}
			}
		}
		assertThat(bsns).isNotEmpty();
		return bsns;
	}
}
