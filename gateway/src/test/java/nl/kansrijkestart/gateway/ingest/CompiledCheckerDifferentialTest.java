package nl.kansrijkestart.gateway.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import nl.kansrijkestart.tools.PregnancyGenerator;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Holds the compiled checker to HAPI's validator: over generated pregnancies, our
 * examples, the inbound translations of Nictiz's and the kernset's examples and thousands
 * of mutants of them, a body is accepted with the checker in front exactly when HAPI's
 * validator alone accepts it, with the same issues when it is not.
 * {@code -Ddifferential.mutants=N} runs another number of mutants (default 10,000).
 */
class CompiledCheckerDifferentialTest {

	private static final FhirContext CTX = FhirContext.forR4Cached();

	private static final ObjectMapper JSON = new ObjectMapper();

	private static final Path EXAMPLES = Path.of("..", "profiles", "examples");

	private static final Path INBOUND_GOLDEN = Path.of("..", "mappings", "golden", "inbound");

	private static ProfileValidator withChecker;

	private static ProfileValidator hapiOnly;

	private static final List<ObjectNode> corpus = new ArrayList<>();

	@BeforeAll
	static void setUp() throws IOException {
		ProfileCatalog catalog = new ProfileCatalog(CTX);
		withChecker = new ProfileValidator(CTX, catalog, new IngestProperties(1, 1, false));
		hapiOnly = new ProfileValidator(CTX, catalog, new IngestProperties(1, 1, true));
		PregnancyGenerator generator = new PregnancyGenerator(17_000);
		for (int i = 0; i < 40; i++) {
			for (Bundle.BundleEntryComponent entry : generator.next().bundle().getEntry()) {
				corpus.add((ObjectNode) JSON.readTree(CTX.newJsonParser().encodeResourceToString(entry.getResource())));
			}
		}
		try (Stream<Path> files = Files.list(EXAMPLES)) {
			for (Path f : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
				corpus.add((ObjectNode) JSON.readTree(f.toFile()));
			}
		}
		// input nobody here wrote: Nictiz's STU3 examples and HL7v3 kernset messages as
		// the inbound translation makes them (the golden files; comment lines first)
		try (Stream<Path> files = Files.list(INBOUND_GOLDEN)) {
			for (Path f : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
				String json = Files.readAllLines(f)
					.stream()
					.filter(line -> !line.startsWith("//"))
					.collect(Collectors.joining("\n"));
				for (JsonNode entry : JSON.readTree(json).path("entry")) {
					corpus.add((ObjectNode) entry.get("resource"));
				}
			}
		}
	}

	@Test
	void everyValidGeneratedResourceAndExampleTakesTheFastPath() throws IOException {
		Map<String, Integer> notFast = new TreeMap<>();
		int fast = 0;
		for (ObjectNode resource : corpus) {
			byte[] body = JSON.writeValueAsBytes(resource);
			assertThat(hapiOnly.validate(body, ProfileValidator.Format.JSON, false, ProfileValidator.NOTHING_KNOWN)
				.accepted()).as(resource.toString()).isTrue();
			CompiledChecker.Result result = withChecker.compiledVerdict(body);
			if (result.verdict() == CompiledChecker.Verdict.VALID) {
				fast++;
			}
			else {
				notFast.merge(result.reason(), 1, Integer::sum);
			}
		}
		System.out.printf("compiled checker: %d of %d valid resources on the fast path; the rest: %s%n", fast,
				corpus.size(), notFast);
		// left to HAPI: Bundles and canonical values (the gateway's own handover
		// documents) and extensions defined elsewhere (Nictiz's)
		assertThat(notFast.keySet())
			.allMatch(reason -> reason.startsWith("Bundles") || reason.startsWith("the canonical value")
					|| reason.startsWith("an extension without a known definition"));
	}

	@Test
	void mutantsGetTheSameVerdictWithAndWithoutTheChecker() throws IOException {
		int count = Integer.getInteger("differential.mutants", 10_000);
		Random random = new Random(4242);
		Mutator mutator = new Mutator(random);
		Map<CompiledChecker.Verdict, Integer> verdicts = new EnumMap<>(CompiledChecker.Verdict.class);
		Map<String, Integer> notUnderstood = new TreeMap<>();
		int compared = 0;
		int rejectedByHapi = 0;
		List<String> disagreements = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			ObjectNode mutant = corpus.get(random.nextInt(corpus.size())).deepCopy();
			String mutation = mutator.mutate(mutant);
			byte[] body = JSON.writeValueAsBytes(mutant);
			CompiledChecker.Result result = withChecker.compiledVerdict(body);
			CompiledChecker.Verdict verdict = result.verdict();
			verdicts.merge(verdict, 1, Integer::sum);
			if (verdict == CompiledChecker.Verdict.NOT_UNDERSTOOD) {
				notUnderstood.merge(result.reason().replaceAll("[:]? .*", ""), 1, Integer::sum);
			}
			// Where the checker does not say valid, both validators run HAPI's: that
			// path is compared on every tenth mutant; the valid ones on every mutant.
			if (verdict != CompiledChecker.Verdict.VALID && i % 10 != 0) {
				continue;
			}
			compared++;
			ValidationReport reference = hapiOnly.validate(body, ProfileValidator.Format.JSON, false,
					ProfileValidator.NOTHING_KNOWN);
			ValidationReport fast = withChecker.validate(body, ProfileValidator.Format.JSON, false,
					ProfileValidator.NOTHING_KNOWN);
			if (!reference.accepted()) {
				rejectedByHapi++;
			}
			// accepted with the checker means without HAPI's warnings (never sent back)
			if (reference.accepted() != fast.accepted()
					|| (!reference.accepted() && !reference.issues().equals(fast.issues()))) {
				disagreements
					.add(mutation + "\n  HAPI: " + reference.issues().stream().filter(ValidationIssue::blocks).toList()
							+ "\n  body: " + new String(body, StandardCharsets.UTF_8));
			}
		}
		System.out.printf(
				"differential: %d mutants, checker verdicts %s; %d validated both ways, %d of them rejected "
						+ "by HAPI's validator; not understood: %s%n",
				count, verdicts, compared, rejectedByHapi, notUnderstood);
		assertThat(disagreements).as(String.join("\n\n", disagreements.stream().limit(10).toList())).isEmpty();
		assertThat(verdicts.getOrDefault(CompiledChecker.Verdict.INVALID, 0)).as("mutants that break a rule")
			.isGreaterThan(count / 4);
		assertThat(verdicts.getOrDefault(CompiledChecker.Verdict.VALID, 0)).as("mutants on the fast path")
			.isGreaterThan(count / 10);
		assertThat(rejectedByHapi).as("HAPI's validator rejects what the checker does not let through").isPositive();
	}

	/** Random changes of the kinds that break profiles, each described. */
	private static final class Mutator {

		private static final List<String> BROKEN = List.of("", " padded ", "2023-02-30", "2023-13-01",
				"2023-05-01T10:00:00", "abc", "12.5.3", "-1", "99999999999", "true", "NOPE", "urn:uuid:NOT-A-UUID",
				"http://example.org/unknown", "0", "1e3", "GM9999", "999999999", "123456782", "final", "amended",
				"preliminary", "Patient/x", "x".repeat(70), "line\u0001break", "2024", "2024-06");

		private static final List<String> TYPES = List.of("Patient", "Practitioner", "Organization", "EpisodeOfCare",
				"Observation", "Group", "RelatedPerson");

		private static final List<String> EXTENSIONS = List.of(
				"https://kansrijkestart.nl/fhir/StructureDefinition/ks-ext-municipality",
				"https://kansrijkestart.nl/fhir/StructureDefinition/ks-ext-mother",
				"https://kansrijkestart.nl/fhir/StructureDefinition/ks-ext-mode-of-delivery",
				"http://hl7.org/fhir/StructureDefinition/workflow-episodeOfCare", "http://example.org/unknown-ext");

		private final Random random;

		private final List<String> codes = new ArrayList<>();

		private final List<String> systems = new ArrayList<>();

		Mutator(Random random) {
			this.random = random;
			for (ObjectNode resource : corpus) {
				collect(resource);
			}
		}

		private void collect(JsonNode node) {
			for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
				var field = it.next();
				if (field.getValue().isTextual() && field.getKey().equals("code")) {
					codes.add(field.getValue().asText());
				}
				if (field.getValue().isTextual() && field.getKey().equals("system")) {
					systems.add(field.getValue().asText());
				}
				collect(field.getValue());
			}
			if (node.isArray()) {
				node.forEach(this::collect);
			}
		}

		String mutate(ObjectNode resource) {
			List<Slot> slots = new ArrayList<>();
			slots(resource, resource, "", slots);
			int kind = random.nextInt(12);
			// most kinds keep the JSON shape (a string stays a string), so that the
			// parser accepts the mutant and the checker is asked
			Slot slot = switch (kind) {
				case 1 -> random.nextInt(4) == 0 ? slots.get(random.nextInt(slots.size()))
						: slotOf(slots.stream().filter(s -> s.array != null).toList(), n -> true, slots);
				case 2 -> slotOf(slots, JsonNode::isTextual);
				case 7 -> slotOf(slots, n -> n.isObject() && n.size() > 1);
				case 9 -> slotOf(slots, JsonNode::isNumber);
				default -> slots.get(random.nextInt(slots.size()));
			};
			JsonNode value = slot.value();
			switch (kind) {
				case 0 -> {
					slot.remove();
					return "drop " + slot.path;
				}
				case 1 -> {
					if (slot.array != null) {
						slot.array.insert(slot.index, slot.value().deepCopy());
						return "duplicate " + slot.path;
					}
					ArrayNode twice = JsonNodeFactory.instance.arrayNode().add(value.deepCopy()).add(value.deepCopy());
					slot.set(twice);
					return "as a list of two " + slot.path;
				}
				case 2 -> {
					String broken = pick(BROKEN);
					slot.set(TextNode.valueOf(broken));
					return "set " + slot.path + " = '" + broken + "'";
				}
				case 3 -> {
					String code = random.nextInt(4) == 0 ? "bogus" : pick(codes);
					return setNamed(resource, "code", code);
				}
				case 4 -> {
					return setNamed(resource, "system", pick(systems));
				}
				case 5 -> {
					String type = pick(TYPES);
					if (random.nextInt(3) == 0) {
						return setNamed(resource, "type", random.nextBoolean() ? type : "Nonsense");
					}
					return setNamed(resource, "reference",
							random.nextBoolean() ? type + "/" + (random.nextInt(900) + 100) : "#c1");
				}
				case 6 -> {
					ObjectNode target = objectIn(slots, resource);
					target.put(random.nextBoolean() ? "foo" : "valueString", "bar");
					return "an unknown or misplaced element in " + target;
				}
				case 7 -> {
					if (!value.isObject() || value.isEmpty()) {
						slot.set(JsonNodeFactory.instance.objectNode());
						return "empty object at " + slot.path;
					}
					List<String> names = new ArrayList<>();
					value.fieldNames().forEachRemaining(names::add);
					String kept = names.get(random.nextInt(names.size()));
					((ObjectNode) value).retain(kept);
					return "only " + kept + " left in " + slot.path;
				}
				case 8 -> {
					ObjectNode target = objectIn(slots, resource);
					ObjectNode extension = target.withArray("extension").addObject().put("url", pick(EXTENSIONS));
					switch (random.nextInt(4)) {
						case 0 -> extension.put("valueString", "GM0363");
						case 1 ->
							extension.putObject("valueCoding").put("system", pick(systems)).put("code", pick(codes));
						case 2 -> extension.putObject("valueReference").put("reference", pick(TYPES) + "/1");
						default -> extension.put("valueBoolean", true);
					}
					return "an extension in " + target;
				}
				case 9 -> {
					if (value.isNumber()) {
						double[] factors = { -1, 10, 0.1, 1000, 0 };
						double factor = factors[random.nextInt(factors.length)];
						slot.set(JsonNodeFactory.instance.numberNode(value.asDouble() * factor));
						return "scale " + slot.path + " by " + factor;
					}
					slot.set(JsonNodeFactory.instance.numberNode(random.nextInt(5000) - 100));
					return "a number at " + slot.path;
				}
				case 10 -> {
					List<ObjectNode> codings = new ArrayList<>();
					holders(resource, "code", codings);
					ObjectNode target = codings.isEmpty() ? objectIn(slots, resource)
							: codings.get(random.nextInt(codings.size()));
					target.put("display", "Not the display");
					return "a display in " + target;
				}
				default -> {
					ObjectNode target = objectIn(slots, resource);
					if (slot.parent != null && !contains(value, target)) {
						slot.parent.remove(slot.key);
						target.set(slot.key, value);
						return "move " + slot.path + " into " + target;
					}
					slot.remove();
					return "drop " + slot.path;
				}
			}
		}

		private static boolean contains(JsonNode tree, JsonNode node) {
			if (tree == node) {
				return true;
			}
			for (JsonNode child : tree) {
				if (contains(child, node)) {
					return true;
				}
			}
			return false;
		}

		private Slot slotOf(List<Slot> slots, Predicate<JsonNode> shape) {
			return slotOf(slots, shape, slots);
		}

		private Slot slotOf(List<Slot> slots, Predicate<JsonNode> shape, List<Slot> otherwise) {
			List<Slot> fitting = slots.stream().filter(s -> shape.test(s.value())).toList();
			return fitting.isEmpty() ? otherwise.get(random.nextInt(otherwise.size()))
					: fitting.get(random.nextInt(fitting.size()));
		}

		private String setNamed(ObjectNode resource, String name, String value) {
			List<ObjectNode> holders = new ArrayList<>();
			holders(resource, name, holders);
			if (holders.isEmpty()) {
				return "nothing named " + name;
			}
			ObjectNode holder = holders.get(random.nextInt(holders.size()));
			holder.put(name, value);
			return "set " + name + " = " + value + " in " + holder;
		}

		private void holders(JsonNode node, String name, List<ObjectNode> out) {
			if (node.isObject() && node.has(name)) {
				out.add((ObjectNode) node);
			}
			node.forEach(child -> holders(child, name, out));
		}

		private ObjectNode objectIn(List<Slot> slots, ObjectNode resource) {
			List<ObjectNode> objects = new ArrayList<>(List.of(resource));
			for (Slot s : slots) {
				if (s.value().isObject()) {
					objects.add((ObjectNode) s.value());
				}
			}
			return objects.get(random.nextInt(objects.size()));
		}

		private String pick(List<String> from) {
			return from.get(random.nextInt(from.size()));
		}

		private void slots(JsonNode node, ObjectNode resource, String path, List<Slot> out) {
			if (node.isObject()) {
				for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
					String key = it.next();
					if (node == resource && key.equals("resourceType")) {
						continue;
					}
					out.add(new Slot((ObjectNode) node, key, null, -1, path + "." + key));
					slots(node.get(key), resource, path + "." + key, out);
				}
			}
			else if (node.isArray()) {
				for (int i = 0; i < node.size(); i++) {
					out.add(new Slot(null, null, (ArrayNode) node, i, path + "[" + i + "]"));
					slots(node.get(i), resource, path + "[" + i + "]", out);
				}
			}
		}

		/** A place in the tree: a field of an object or an item of an array. */
		private record Slot(ObjectNode parent, String key, ArrayNode array, int index, String path) {

			JsonNode value() {
				return parent != null ? parent.get(key) : array.get(index);
			}

			void set(JsonNode value) {
				if (parent != null) {
					parent.set(key, value);
				}
				else {
					array.set(index, value);
				}
			}

			void remove() {
				if (parent != null) {
					parent.remove(key);
				}
				else {
					array.remove(index);
				}
			}

		}

	}

}
