package nl.kansrijkestart.gateway.store;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.io.InputStream;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.Coding;
import org.springframework.core.io.ClassPathResource;
import org.springframework.stereotype.Component;

/**
 * The CBS municipality codes as published in
 * {@code profiles/CodeSystem/ks-municipality.json}: the municipalities of 2025 and the
 * former codes of merged ones with their successor. Ingest refuses any other code (the
 * extension's required binding); a former code is kept as sent and read as its successor
 * for routing and monitoring.
 */
@Component
public class Municipalities {

	static final String CODE_SYSTEM = "profiles/CodeSystem/ks-municipality.json";

	public static final String SYSTEM = "https://kansrijkestart.nl/fhir/NamingSystem/cbs-gemeentecode";

	/**
	 * A municipality name's code ({@code coding}), or why it has none ({@code refusal}).
	 */
	public record Match(Coding coding, String refusal) {
	}

	private final Map<String, String> successors = new HashMap<>();

	private final Set<String> current = new HashSet<>();

	private final Map<String, String> regions = new HashMap<>();

	private final Map<String, String> names = new HashMap<>();

	private final Map<String, String> regionNames = new HashMap<>();

	private final Map<String, List<String>> byName = new HashMap<>();

	public Municipalities(FhirContext fhirContext) {
		CodeSystem codes;
		try (InputStream in = new ClassPathResource(CODE_SYSTEM).getInputStream()) {
			codes = fhirContext.newJsonParser().parseResource(CodeSystem.class, in);
		}
		catch (IOException e) {
			throw new IllegalStateException("Cannot read " + CODE_SYSTEM, e);
		}
		for (CodeSystem.ConceptDefinitionComponent concept : codes.getConcept()) {
			if (concept.getProperty()
				.stream()
				.anyMatch(p -> p.getCode().equals("status") && p.getValueCodeType().getCode().equals("active"))) {
				current.add(concept.getCode());
			}
			concept.getProperty()
				.stream()
				.filter(p -> p.getCode().equals("ggd-region"))
				.findFirst()
				.ifPresent(p -> regions.put(concept.getCode(), p.getValue().primitiveValue()));
			concept.getProperty()
				.stream()
				.filter(p -> p.getCode().equals("ggd-region-name"))
				.findFirst()
				.ifPresent(p -> regionNames.put(regions.get(concept.getCode()), p.getValue().primitiveValue()));
			concept.getProperty()
				.stream()
				.filter(p -> p.getCode().equals("successor"))
				.findFirst()
				.ifPresent(p -> successors.put(concept.getCode(), p.getValueCodeType().getCode()));
			names.put(concept.getCode(), concept.getDisplay());
			byName.computeIfAbsent(nameKey(concept.getDisplay()), k -> new ArrayList<>()).add(concept.getCode());
			int bracket = concept.getDisplay().indexOf(" (");
			if (bracket > 0) {
				// "Bergen (L.)" is also just "Bergen", as addresses write it: that name
				// is then ambiguous
				byName.computeIfAbsent(nameKey(concept.getDisplay().substring(0, bracket)), k -> new ArrayList<>())
					.add(concept.getCode());
			}
		}
	}

	private static String nameKey(String name) {
		String plain = Normalizer.normalize(name, Normalizer.Form.NFD).replaceAll("\\p{M}", "");
		return plain.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", " ").trim();
	}

	/**
	 * A municipality name as a zib address carries it ({@code address.district}, text) as
	 * the code of today: a former municipality's name gives its successor; a name that
	 * fits two municipalities or none is refused, never guessed.
	 */
	public Match byName(String name) {
		List<String> found = byName.getOrDefault(nameKey(name), List.of());
		if (found.isEmpty()) {
			return new Match(null,
					"the municipality '" + name + "' is not a Dutch municipality (CBS 2025 or a former one)");
		}
		if (found.size() > 1) {
			return new Match(null,
					"the municipality '" + name + "' is ambiguous: "
							+ String.join(" or ", found.stream().map(c -> names.get(c) + " (" + c + ")").toList())
							+ "; send the CBS code");
		}
		String code = current(found.get(0));
		return new Match(new Coding(SYSTEM, code, names.get(code)), null);
	}

	/** Whether the code is a municipality of today (not a former one, not unknown). */
	public boolean isCurrent(String code) {
		return current.contains(code);
	}

	/**
	 * The CBS code of the GGD region a municipality of today is in; null for any other
	 * code.
	 */
	public String region(String code) {
		return regions.get(code);
	}

	/**
	 * The name of a municipality (CBS code GMnnnn) or a GGD region (GGnnnn); null for an
	 * unknown code.
	 */
	public String name(String code) {
		return code != null && code.startsWith("GG") ? regionNames.get(code) : names.get(code);
	}

	/**
	 * The municipality a code stands for today: its successor when it is a former code,
	 * else itself.
	 */
	public String current(String code) {
		return Optional.ofNullable(code).map(c -> successors.getOrDefault(c, c)).orElse(null);
	}

}
