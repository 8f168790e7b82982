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
 * The Kansrijke Start indicators as FHIR Measure resources, kept as data in {@code mappings/measures/}. Each names the
 * SQL view (Flyway) that counts it in its population criteria.
 */
@Component
public class MeasureCatalog {

	static final String MULTIPLIER = "https://kansrijkestart.nl/fhir/StructureDefinition/ks-ext-score-multiplier";

	/** What the evaluator needs of a Measure. */
	record Indicator(Measure measure, String view, boolean median, int multiplier) {
	}

	private final Map<String, Indicator> byId = new LinkedHashMap<>();

	MeasureCatalog(FhirContext fhirContext) throws IOException {
		Resource[] files = new PathMatchingResourcePatternResolver().getResources("classpath*:mappings/measures/*.json");
		Arrays.sort(files, Comparator.comparing(Resource::getFilename));
		for (Resource file : files) {
			Measure m;
			try (InputStream in = file.getInputStream()) {
				m = fhirContext.newJsonParser().parseResource(Measure.class, new String(in.readAllBytes(), StandardCharsets.UTF_8));
			}
			String expression = m.getGroupFirstRep().getPopulationFirstRep().getCriteria().getExpression();
			String view = expression.substring(0, expression.indexOf('.'));
			if (!view.matches("indicator_[a-z0-9_]+")) {
				throw new IllegalStateException("Measure " + m.getId() + " names no indicator view: " + expression);
			}
			boolean median = m.getScoring().getCodingFirstRep().getCode().equals("continuous-variable");
			int multiplier = m.getExtensionByUrl(MULTIPLIER) == null ? 1 : ((IntegerType) m.getExtensionByUrl(MULTIPLIER).getValue()).getValue();
			byId.put(m.getIdElement().getIdPart(), new Indicator(m, view, median, multiplier));
		}
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
