package nl.kansrijkestart.gateway.handover;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ConceptMap;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Type;

/**
 * Gives a handed-over observation's value the type and unit its BDS element has (the
 * products {@code type}, {@code unit} and {@code derive} of ConceptMap ks-bds-elements):
 * BL as a boolean, INT as an integer, PQ in the BDS unit (mm, g, days), CV and TS as they
 * come (the W-list coding is added by the map's translate). A value that cannot be read
 * as the element's type is left out rather than sent wrong. An R4 vital sign (derive
 * {@code vital-sign}) keeps its value as its profile requires it; the BDS element gets an
 * observation of its own.
 */
final class BdsValueTypes {

	static final String PROPERTY = "https://kansrijkestart.nl/fhir/ConceptMap/ks-bds-elements#";

	private static final String SNOMED = "http://snomed.info/sct";

	private static final String UCUM = "http://unitsofmeasure.org";

	/** Source UCUM unit → BDS unit → factor. */
	private static final Map<String, Map<String, BigDecimal>> FACTORS = Map.of("mm",
			Map.of("mm", BigDecimal.ONE, "cm", BigDecimal.TEN), "g",
			Map.of("g", BigDecimal.ONE, "kg", BigDecimal.valueOf(1000)), "d",
			Map.of("d", BigDecimal.ONE, "wk", BigDecimal.valueOf(7)));

	private BdsValueTypes() {
	}

	/**
	 * Types the observation's value for its element; for an R4 vital sign, whose profile
	 * fixes the unit (cm), the observation stays as sent and the BDS element in its own
	 * unit (mm) is returned as a second observation, which the document links to the
	 * first by {@code derivedFrom}.
	 */
	static Optional<Observation> apply(Observation observation, ConceptMap.TargetElementComponent element) {
		String type = product(element, "type").orElse("");
		Optional<String> derive = product(element, "derive");
		Type value = observation.getValue();
		if (derive.filter("vital-sign"::equals).isPresent()) {
			List<Coding> bds = observation.getCode()
				.getCoding()
				.stream()
				.filter(c -> element.getCode().equals(c.getCode())
						&& c.getSystem().equals(element.getUserData("system")))
				.toList();
			observation.getCode().getCoding().removeAll(bds);
			Observation inBdsUnit = new Observation().setStatus(observation.getStatus())
				.setCode(new CodeableConcept().setCoding(bds))
				.setEffective(observation.getEffective())
				.setValue(quantity(value, product(element, "unit").orElse(null)));
			return Optional.of(inBdsUnit);
		}
		Type typed = switch (type) {
			case "BL" -> bool(value, derive.orElse("yes-no"));
			case "INT" -> integer(value);
			case "PQ" -> quantity(value, product(element, "unit").orElse(null));
			default -> value;
		};
		observation.setValue(typed);
		return Optional.empty();
	}

	/**
	 * A product of an element's target in ks-bds-elements (rubric, type, unit,
	 * value-list, derive).
	 */
	static Optional<String> product(ConceptMap.TargetElementComponent element, String name) {
		return element.getProduct()
			.stream()
			.filter(p -> (PROPERTY + name).equals(p.getProperty()))
			.map(ConceptMap.OtherElementComponent::getValue)
			.findFirst();
	}

	private static BooleanType bool(Type value, String derive) {
		return switch (derive) {
			case "performed" -> new BooleanType(true);
			case "below-p10" -> value instanceof Quantity q && q.hasValue()
					? new BooleanType(q.getValue().compareTo(BigDecimal.TEN) < 0)
					: value instanceof IntegerType i ? new BooleanType(i.getValue() < 10) : null;
			default -> value instanceof CodeableConcept c ? yesNo(c) : value instanceof BooleanType b ? b : null;
		};
	}

	private static BooleanType yesNo(CodeableConcept concept) {
		if (concept.hasCoding(SNOMED, "373066001")) {
			return new BooleanType(true);
		}
		return concept.hasCoding(SNOMED, "373067005") ? new BooleanType(false) : null;
	}

	private static IntegerType integer(Type value) {
		if (value instanceof IntegerType i) {
			return i;
		}
		return value instanceof Quantity q && q.hasValue() && q.getValue().stripTrailingZeros().scale() <= 0
				? new IntegerType(q.getValue().intValueExact()) : null;
	}

	private static Quantity quantity(Type value, String unit) {
		if (!(value instanceof Quantity q) || !q.hasValue() || unit == null) {
			return null;
		}
		BigDecimal factor = FACTORS.getOrDefault(unit, Map.of()).get(UCUM.equals(q.getSystem()) ? q.getCode() : null);
		if (factor == null) {
			return null;
		}
		BigDecimal converted = q.getValue().multiply(factor).stripTrailingZeros();
		return new Quantity().setValue(converted.scale() < 0 ? converted.setScale(0) : converted)
			.setUnit(unit)
			.setSystem(UCUM)
			.setCode(unit);
	}

}
