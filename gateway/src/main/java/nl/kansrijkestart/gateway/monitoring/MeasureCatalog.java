package nl.kansrijkestart.gateway.monitoring;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Measure;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.stereotype.Component;

/**
 * The Kansrijke Start indicators as FHIR Measure resources, kept as data in
 * {@code mappings/measures/}. Each names the SQL view (Flyway) that counts it in its
 * population criteria.
 */
@Component
public class MeasureCatalog {

	static final String MULTIPLIER = "https://kansrijkestart.nl/fhir/StructureDefinition/ks-ext-score-multiplier";

	/** What the evaluator needs of a Measure. */
	record Indicator(Measure measure, String view, boolean median, int multiplier) {
	}

	/** A count of an indicator: {@code numerator} or {@code denominator}. */
	record Term(String measureId, boolean numerator) {
	}

	/**
	 * {@code left} equals, or is at most, the sum of {@code right}, in every month and
	 * municipality (relations.csv).
	 */
	record SeriesRelation(Term left, List<Term> right, boolean equality) {

		boolean ofDenominators() {
			return !left.numerator() && right.stream().noneMatch(Term::numerator);
		}
	}

	private final Map<String, Indicator> byId = new LinkedHashMap<>();

	private final List<SeriesRelation> relations = new java.util.ArrayList<>();

	MeasureCatalog(FhirContext fhirContext) throws IOException {
		Resource[] files = new PathMatchingResourcePatternResolver()
			.getResources("classpath*:mappings/measures/*.json");
		Arrays.sort(files, Comparator.comparing(Resource::getFilename));
		for (Resource file : files) {
			Measure m;
			try (InputStream in = file.getInputStream()) {
				m = fhirContext.newJsonParser()
					.parseResource(Measure.class, new String(in.readAllBytes(), StandardCharsets.UTF_8));
			}
			String expression = m.getGroupFirstRep().getPopulationFirstRep().getCriteria().getExpression();
			String view = expression.substring(0, expression.indexOf('.'));
			if (!view.matches("indicator_[a-z0-9_]+")) {
				throw new IllegalStateException("Measure " + m.getId() + " names no indicator view: " + expression);
			}
			boolean median = m.getScoring().getCodingFirstRep().getCode().equals("continuous-variable");
			int multiplier = m.getExtensionByUrl(MULTIPLIER) == null ? 1
					: ((IntegerType) m.getExtensionByUrl(MULTIPLIER).getValue()).getValue();
			byId.put(m.getIdElement().getIdPart(), new Indicator(m, view, median, multiplier));
		}
		for (Resource file : new PathMatchingResourcePatternResolver()
			.getResources("classpath*:mappings/measures/relations.csv")) {
			try (InputStream in = file.getInputStream()) {
				for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
					if (!line.isBlank() && !line.startsWith("#")) {
						relations.add(relation(line.trim()));
					}
				}
			}
		}
	}

	private SeriesRelation relation(String line) {
		String[] f = line.split(",");
		if (f.length != 3 || !(f[1].equals("=") || f[1].equals("<="))) {
			throw new IllegalStateException("relations.csv: not left,=|<=,right: " + line);
		}
		List<Term> right = Arrays.stream(f[2].split("\\+")).map(String::trim).map(this::term).toList();
		return new SeriesRelation(term(f[0]), right, f[1].equals("="));
	}

	private Term term(String text) {
		String[] parts = text.split("/");
		if (parts.length != 2 || !byId.containsKey(parts[0])
				|| !(parts[1].equals("numerator") || parts[1].equals("denominator"))) {
			throw new IllegalStateException("relations.csv: no such count " + text);
		}
		return new Term(parts[0], parts[1].equals("numerator"));
	}

	List<SeriesRelation> relations() {
		return relations;
	}

	public List<Measure> measures() {
		return byId.values().stream().map(i -> i.measure().copy()).toList();
	}

	public Optional<Measure> measure(String id) {
		return Optional.ofNullable(byId.get(id)).map(i -> i.measure().copy());
	}

	Optional<Indicator> indicator(String id) {
		return Optional.ofNullable(byId.get(id));
	}

	List<String> ids() {
		return List.copyOf(byId.keySet());
	}

}
