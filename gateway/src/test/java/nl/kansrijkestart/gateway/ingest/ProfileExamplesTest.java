package nl.kansrijkestart.gateway.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every published profile has a valid example, and failing examples fail where we say
 * they fail.
 */
class ProfileExamplesTest {

	private static final Path EXAMPLES = Path.of("..", "profiles", "examples");

	private static ProfileValidator validator;

	private static ProfileCatalog catalog;

	@BeforeAll
	static void setUp() throws IOException {
		FhirContext ctx = FhirContext.forR4Cached();
		catalog = new ProfileCatalog(ctx);
		validator = new ProfileValidator(ctx, catalog, new IngestProperties(1, 1, false));
	}

	private static ValidationReport validate(Path file) throws IOException {
		return validator.validate(Files.readAllBytes(file), ProfileValidator.Format.JSON, false,
				ProfileValidator.NOTHING_KNOWN);
	}

	@Test
	void everyResourceProfileHasAValidExample() {
		for (String type : catalog.acceptedTypes()) {
			for (String profile : catalog.profilesFor(type)) {
				String name = profile.substring(profile.lastIndexOf('/') + 1);
				assertThat(EXAMPLES.resolve(name + ".json")).as("example for " + profile).exists();
			}
		}
	}

	@TestFactory
	Stream<DynamicTest> validExamplesPass() throws IOException {
		try (Stream<Path> files = Files.list(EXAMPLES)) {
			return files.filter(f -> f.toString().endsWith(".json"))
				.sorted()
				.toList()
				.stream()
				.map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
					ValidationReport report = validate(f);
					assertThat(report.issues().stream().filter(ValidationIssue::blocks)).as(f.toString()).isEmpty();
					assertThat(report.accepted()).isTrue();
				}));
		}
	}

	@TestFactory
	Stream<DynamicTest> invalidExamplesFailAtTheExpectedPath() throws IOException {
		JsonNode manifest = new ObjectMapper().readTree(EXAMPLES.resolve("invalid/expected-errors.json").toFile());
		List<DynamicTest> tests = new ArrayList<>();
		for (JsonNode expected : manifest) {
			Path file = EXAMPLES.resolve("invalid").resolve(expected.get("file").asText());
			tests.add(DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
				ValidationReport report = validate(file);
				assertThat(report.accepted()).as(file + " " + report.issues()).isFalse();
				assertThat(report.entries()).singleElement()
					.extracting(ValidatedEntry::profile)
					.isEqualTo(expected.get("profile").asText());
				assertThat(report.issues()).as(report.issues().toString()).anySatisfy(issue -> {
					assertThat(issue.blocks()).isTrue();
					assertThat(issue.expression()).isEqualTo(expected.get("expression").asText());
					assertThat(issue.message()).contains(expected.get("message").asText());
				});
			}));
		}
		return tests.stream();
	}

	/**
	 * A differential out of element order is merged silently wrong by the snapshot
	 * generator: catch that here.
	 */
	@Test
	void snapshotsKeepEveryDifferentialCardinality() {
		for (var sd : catalog.structureDefinitions()) {
			var snapshot = validator.snapshot(sd.getUrl());
			for (var diff : sd.getDifferential().getElement()) {
				if (!diff.hasMin() && !diff.hasMax()) {
					continue;
				}
				var snap = snapshot.getSnapshot()
					.getElement()
					.stream()
					.filter(e -> e.getId().equals(diff.getId()))
					.findFirst();
				assertThat(snap).as(sd.getUrl() + " " + diff.getId()).isPresent();
				if (diff.hasMin()) {
					assertThat(snap.get().getMin()).as(sd.getUrl() + " " + diff.getId()).isEqualTo(diff.getMin());
				}
				if (diff.hasMax()) {
					assertThat(snap.get().getMax()).as(sd.getUrl() + " " + diff.getId()).isEqualTo(diff.getMax());
				}
			}
		}
	}

	@Test
	void everyResourceProfileHasAFailingExample() throws IOException {
		JsonNode manifest = new ObjectMapper().readTree(EXAMPLES.resolve("invalid/expected-errors.json").toFile());
		List<String> covered = new ArrayList<>();
		manifest.forEach(m -> covered.add(m.get("profile").asText()));
		for (String type : catalog.acceptedTypes()) {
			assertThat(covered).containsAll(catalog.profilesFor(type));
		}
	}

	/**
	 * An extension we put on what we return or accept is defined: the official validator
	 * can check it.
	 */
	@Test
	void everyExtensionWeUseIsDefined() throws IOException {
		java.util.regex.Pattern url = java.util.regex.Pattern
			.compile("https://kansrijkestart\\.nl/fhir/StructureDefinition/(ks-ext-[a-z-]+)");
		java.util.Set<String> used = new java.util.TreeSet<>();
		for (Path root : List.of(Path.of("src/main"), Path.of("..", "mappings"),
				Path.of("..", "tools", "src", "main"))) {
			try (var files = Files.walk(root)) {
				for (Path f : files.filter(Files::isRegularFile).toList()) {
					var m = url.matcher(Files.readString(f));
					while (m.find()) {
						used.add(m.group(1));
					}
				}
			}
		}
		java.util.Set<String> defined = new java.util.HashSet<>();
		catalog.structureDefinitions().forEach(sd -> defined.add(sd.getIdPart()));
		assertThat(used).isNotEmpty()
			.allSatisfy(id -> assertThat(defined).as("StructureDefinition " + id).contains(id));
	}

}
