package nl.kansrijkestart.gateway.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nl.kansrijkestart.gateway.ingest.IngestProperties;
import nl.kansrijkestart.gateway.ingest.ProfileCatalog;
import nl.kansrijkestart.gateway.ingest.ProfileValidator;
import nl.kansrijkestart.gateway.ingest.ValidationIssue;
import nl.kansrijkestart.gateway.ingest.ValidationReport;
import org.hl7.fhir.r4.model.Bundle;

/**
 * Translated bundles against our profiles and against the golden files in
 * mappings/golden/inbound/: after a deliberate mapping change, regenerate them with
 * {@code -Dgolden.update=true} and review the diff.
 */
final class Goldens {

	private static final Path GOLDEN = Path.of("..", "mappings", "golden", "inbound");

	private static final Pattern PLACEHOLDER = Pattern.compile("urn:uuid:[0-9a-f-]{36}");

	private static ProfileValidator validator;

	private Goldens() {
	}

	private static synchronized ProfileValidator validator() {
		if (validator == null) {
			try {
				validator = new ProfileValidator(Stu3TranslationTest.R4, new ProfileCatalog(Stu3TranslationTest.R4),
						new IngestProperties(1, 1, false));
			}
			catch (IOException e) {
				throw new UncheckedIOException(e);
			}
		}
		return validator;
	}

	static List<ValidationIssue> errors(Bundle bundle) {
		byte[] json = Stu3TranslationTest.R4.newJsonParser()
			.encodeResourceToString(bundle)
			.getBytes(StandardCharsets.UTF_8);
		ValidationReport report = validator().validate(json, ProfileValidator.Format.JSON, true, h -> Set.of());
		return report.issues().stream().filter(ValidationIssue::blocks).toList();
	}

	/**
	 * The translated bundle, its placeholders numbered in order, beside what became of
	 * each sent entry.
	 */
	static void assertGolden(String name, Stu3Translation.Translation t) throws IOException {
		String json = Stu3TranslationTest.R4.newJsonParser().setPrettyPrint(true).encodeResourceToString(t.bundle());
		Map<String, String> numbers = new LinkedHashMap<>();
		Matcher m = PLACEHOLDER.matcher(json);
		StringBuilder out = new StringBuilder();
		while (m.find()) {
			m.appendReplacement(out, numbers.computeIfAbsent(m.group(),
					k -> "urn:uuid:00000000-0000-4000-8000-" + String.format("%012d", numbers.size() + 1)));
		}
		m.appendTail(out);
		StringBuilder notes = new StringBuilder();
		t.notes()
			.forEach(n -> notes.append("// entry ")
				.append(n.index())
				.append(": ")
				.append(n.leftOut() == null ? n.ksProfile() : "left out: " + n.leftOut())
				.append('\n'));
		String actual = notes + out.toString() + "\n";
		Path file = GOLDEN.resolve(name + ".json");
		if (Boolean.getBoolean("golden.update") || !Files.exists(file)) {
			Files.createDirectories(GOLDEN);
			Files.writeString(file, actual);
		}
		assertThat(actual).isEqualTo(Files.readString(file));
	}

}
