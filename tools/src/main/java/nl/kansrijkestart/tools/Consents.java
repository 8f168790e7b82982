package nl.kansrijkestart.tools;

import java.util.List;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;

/** ks-consent resources as a birth-care system (or the national registry) sends them. */
public final class Consents {

	public static final String PROFILE = "https://kansrijkestart.nl/fhir/StructureDefinition/ks-consent";

	public static final String PURPOSE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActReason";

	/** v3-ActReason: handover to JGZ */
	public static final String TREAT = "TREAT";

	/** v3-ActReason: monitoring */
	public static final String PUBHLTH = "PUBHLTH";

	private Consents() {
	}

	/**
	 * @param patient the person (a reference, or a BSN identifier for the registry's)
	 * @param purposes v3-ActReason codes
	 * @param actors organisations ({@code system|value}) the provision is limited to
	 * @param periodStart, periodEnd the provision's period, either may be null
	 */
	public static Consent consent(String name, Reference patient, String status, String dateTime, boolean permit,
			List<String> purposes, List<String> actors, String periodStart, String periodEnd) {
		Consent c = new Consent();
		c.setId(name);
		c.getMeta().addProfile(PROFILE);
		c.addIdentifier(new Identifier().setSystem("https://synthetic.kansrijkestart.nl/consent")
			.setValue(name + "-" + UUID.randomUUID()));
		c.setStatus(Consent.ConsentState.fromCode(status));
		c.setScope(new CodeableConcept(
				new Coding("http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy", null)));
		c.addCategory(new CodeableConcept(new Coding("http://loinc.org", "59284-0", "Patient Consent")));
		c.setPatient(patient);
		c.setDateTimeElement(new DateTimeType(dateTime));
		c.setPolicyRule(new CodeableConcept(
				new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", permit ? "OPTIN" : "OPTOUT", null)));
		Consent.ProvisionComponent provision = c.getProvision();
		provision.setType(permit ? Consent.ConsentProvisionType.PERMIT : Consent.ConsentProvisionType.DENY);
		purposes.forEach(p -> provision.addPurpose(new Coding(PURPOSE_SYSTEM, p, null)));
		for (String actor : actors) {
			String[] parts = actor.split("\\|");
			provision.addActor()
				.setRole(new CodeableConcept(
						new Coding("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "IRCP", null)))
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

	/**
	 * Adds the mother's active permit for these purposes to a generated pregnancy
	 * transaction.
	 */
	public static Bundle withPermit(Bundle pregnancy, String dateTime, String... purposes) {
		Bundle b = pregnancy.copy();
		String mother = b.getEntry()
			.stream()
			.filter(e -> e.getResource() instanceof Patient p
					&& p.getMeta().hasProfile(PregnancyGenerator.PROFILE + "ks-mother"))
			.map(Bundle.BundleEntryComponent::getFullUrl)
			.findFirst()
			.orElseThrow();
		Consent permit = consent("permit", new Reference(mother), "active", dateTime, true, List.of(purposes),
				List.of(), null, null);
		permit.setId((String) null);
		b.addEntry()
			.setFullUrl("urn:uuid:" + UUID.randomUUID())
			.setResource(permit)
			.getRequest()
			.setMethod(Bundle.HTTPVerb.POST)
			.setUrl("Consent");
		return b;
	}

}
