package nl.kansrijkestart.gateway.ingest;

import ca.uhn.fhir.context.support.IValidationSupport;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.hl7.fhir.common.hapi.validation.validator.WorkerContextValidationSupportAdapter;
import org.hl7.fhir.r5.model.CodeableConcept;
import org.hl7.fhir.r5.model.Coding;
import org.hl7.fhir.r5.model.Resource;
import org.hl7.fhir.r5.model.ValueSet;
import org.hl7.fhir.r5.terminologies.utilities.ValidationResult;
import org.hl7.fhir.utilities.validation.ValidationOptions;

/**
 * Two corrections to HAPI's adapter between the core validator and the validation support
 * chain.
 *
 * <p>
 * A CodeableConcept is in a value set when one of its codings is (FHIR R4, terminology
 * binding): Dutch EHRs send SNOMED or LOINC beside a local code. The adapter's
 * CodeableConcept check refuses such a concept ("None of the codings provided are in the
 * value set"), so each coding is checked on its own first.
 *
 * <p>
 * The validator looks up type definitions and profiles by URL for nearly every element.
 * HAPI's adapter resolves each lookup through the support chain and then synchronises on
 * the fetched resource to convert it, which serialises the validator threads on the
 * hottest definitions. The conformance resources never change while the gateway runs, so
 * each answer (also "not found") is kept.
 */
final class CachingWorkerContext extends WorkerContextValidationSupportAdapter {

	/**
	 * By type, then URL: the URL strings come from the definitions themselves, so their
	 * hash codes are cached.
	 */
	private final Map<Class<?>, Map<String, Optional<Resource>>> fetched = new ConcurrentHashMap<>();

	CachingWorkerContext(IValidationSupport validationSupport) {
		super(validationSupport);
	}

	@Override
	public ValidationResult validateCode(ValidationOptions options, CodeableConcept concept, ValueSet valueSet) {
		if (concept != null && concept.getCoding().size() > 1) {
			for (Coding coding : concept.getCoding()) {
				ValidationResult one = validateCode(options, coding, valueSet);
				if (one != null && one.isOk()) {
					return one;
				}
			}
		}
		return super.validateCode(options, concept, valueSet);
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T extends Resource> T fetchResource(Class<T> type, String uri) {
		if (uri == null || uri.isBlank()) {
			return null;
		}
		// Not computeIfAbsent: a fetch can generate a snapshot, which fetches again
		// (recursive update).
		Map<String, Optional<Resource>> ofType = fetched.computeIfAbsent(type, t -> new ConcurrentHashMap<>());
		Optional<Resource> known = ofType.get(uri);
		if (known == null) {
			known = Optional.ofNullable(super.fetchResource(type, uri));
			ofType.put(uri, known);
		}
		return (T) known.orElse(null);
	}

}
