package nl.kansrijkestart.gateway.support;

import java.util.List;
import nl.kansrijkestart.gateway.consent.Purpose;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Reference;

/**
 * ks-consent resources for tests, by the gateway's {@link Purpose}s (built by the tools'
 * {@link nl.kansrijkestart.tools.Consents}).
 */
public final class Consents {

	private Consents() {
	}

	/**
	 * A consent about {@code patient}; {@code actors} are organisations
	 * ({@code system|value}) it is limited to.
	 */
	public static Consent consent(String name, Reference patient, String status, String dateTime, boolean permit,
			List<Purpose> purposes, List<String> actors, String periodStart, String periodEnd) {
		return nl.kansrijkestart.tools.Consents.consent(name, patient, status, dateTime, permit,
				purposes.stream().map(Purpose::code).toList(), actors, periodStart, periodEnd);
	}

	/** An active consent for no particular recipient, without a period. */
	public static Consent simple(String name, Reference patient, String dateTime, boolean permit, Purpose... purposes) {
		return consent(name, patient, "active", dateTime, permit, List.of(purposes), List.of(), null, null);
	}

}
