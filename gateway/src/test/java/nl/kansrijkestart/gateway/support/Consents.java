package nl.kansrijkestart.gateway.support;

import java.util.List;
import java.util.UUID;
import nl.kansrijkestart.gateway.consent.Purpose;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;

/** ks-consent resources as a birth-care system (or the registry) sends them. */
public final class Consents {

	public static final String PROFILE = "https://kansrijkestart.nl/fhir/StructureDefinition/ks-consent";

	private Consents() {
	}

	/**
	 * A consent about {@code patient} (a reference, or null for the registry's, which name the person by BSN).
	 *
	 * @param actors organisations ({@code system|value}) the provision is limited to
	 */
	public static Consent consent(String name, Reference patient, String status, String dateTime, boolean permit,
			List<Purpose> purposes, List<String> actors, String periodStart, String periodEnd) {
		Consent c = new Consent();
		c.setId(name);
		c.getMeta().addProfile(PROFILE);
		c.addIdentifier(new Identifier().setSystem("https://synthetic.kansrijkestart.nl/consent").setValue(name + "-" + UUID.randomUUID()));
		c.setStatus(Consent.ConsentState.fromCode(status));
		c.setScope(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy", null)));
		c.addCategory(new CodeableConcept(new Coding("http://loinc.org", "59284-0", "Patient Consent")));
		c.setPatient(patient);
		c.setDateTimeElement(new DateTimeType(dateTime));
		c.setPolicyRule(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", permit ? "OPTIN" : "OPTOUT", null)));
		Consent.ProvisionComponent provision = c.getProvision();
		provision.setType(permit ? Consent.ConsentProvisionType.PERMIT : Consent.ConsentProvisionType.DENY);
		purposes.forEach(p -> provision.addPurpose(new Coding(Purpose.SYSTEM, p.code(), null)));
		for (String actor : actors) {
			String[] parts = actor.split("\\|");
			provision.addActor()
					.setRole(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "IRCP", null)))
					.setReference(new Reference().setIdentifier(new Identifier().setSystem(parts[0]).setValue(parts[1])));
		}
		if (periodStart != null || periodEnd != null) {
			Period period = new Period();
			if (periodStart != null) {
				period.setStartElement(new DateTimeType(periodStart));
			}
			if (periodEnd != null) {
				period.setEndElement(new DateTimeType(periodEnd));
			}
			provision.setPeriod(period);
		}
		return c;
	}

	/** An active consent for no particular recipient, without a period. */
	public static Consent simple(String name, Reference patient, String dateTime, boolean permit, Purpose... purposes) {
		return consent(name, patient, "active", dateTime, permit, List.of(purposes), List.of(), null, null);
	}
}
