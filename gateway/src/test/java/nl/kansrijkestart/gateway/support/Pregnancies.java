package nl.kansrijkestart.gateway.support;

import java.util.HashSet;
import java.util.Set;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.RelatedPerson;

/**
 * Variations on a generated pregnancy transaction, as birth-care systems send them at
 * other moments.
 */
public final class Pregnancies {

	private static final String CHILD_PROFILE = "https://kansrijkestart.nl/fhir/StructureDefinition/ks-child";

	private static final String MUNICIPALITY = "https://kansrijkestart.nl/fhir/StructureDefinition/ks-ext-municipality";

	private Pregnancies() {
	}

	/**
	 * The pregnancy as known before the birth: no child, no birth, nothing observed about
	 * a child.
	 */
	public static Bundle beforeBirth(Bundle pregnancy) {
		Bundle b = pregnancy.copy();
		Set<String> children = new HashSet<>();
		b.getEntry()
			.stream()
			.filter(e -> e.getResource() instanceof Patient p && p.getMeta().hasProfile(CHILD_PROFILE))
			.forEach(e -> children.add(e.getFullUrl()));
		b.getEntry()
			.removeIf(e -> children.contains(e.getFullUrl()) || e.getResource() instanceof RelatedPerson
					|| e.getResource() instanceof Procedure
					|| (e.getResource() instanceof Observation o && children.contains(o.getSubject().getReference())));
		return b;
	}

	/** The mother lives in another municipality. */
	public static Bundle livingIn(Bundle pregnancy, String municipality) {
		Bundle b = pregnancy.copy();
		for (Bundle.BundleEntryComponent e : b.getEntry()) {
			if (e.getResource() instanceof Patient p && !p.getMeta().hasProfile(CHILD_PROFILE)) {
				p.getAddress().forEach(a -> {
					Extension ext = a.getExtensionByUrl(MUNICIPALITY);
					ext.setValue(new Coding(((Coding) ext.getValue()).getSystem(), municipality, null));
				});
			}
		}
		return b;
	}

	/** The (first) child was stillborn. */
	public static Bundle stillborn(Bundle pregnancy) {
		Bundle b = pregnancy.copy();
		b.getEntry()
			.stream()
			.map(Bundle.BundleEntryComponent::getResource)
			.filter(Procedure.class::isInstance)
			.map(Procedure.class::cast)
			.findFirst()
			.ifPresent(p -> p
				.setOutcome(new CodeableConcept(new Coding("http://snomed.info/sct", "237364002", "Stillbirth"))));
		return b;
	}

	/** A correction: the birth weight was entered wrongly. */
	public static Bundle birthWeightCorrected(Bundle pregnancy, int grams) {
		Bundle b = pregnancy.copy();
		b.getEntry()
			.stream()
			.map(Bundle.BundleEntryComponent::getResource)
			.filter(Observation.class::isInstance)
			.map(Observation.class::cast)
			.filter(o -> o.getCode().getCodingFirstRep().getCode().equals("8339-4"))
			.forEach(o -> o
				.setValue(new Quantity(grams).setSystem("http://unitsofmeasure.org").setCode("g").setUnit("g")));
		return b;
	}

}
