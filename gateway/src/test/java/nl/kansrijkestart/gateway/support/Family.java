package nl.kansrijkestart.gateway.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import nl.kansrijkestart.tools.PregnancyGenerator;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;

/**
 * A generated pregnancy (mother, first child and the rest), submitted as one transaction
 * together with the consents a test gives it, and what the gateway made of it: the
 * Patient ids, BSNs and the id of each consent by its name.
 */
public record Family(String motherId, String motherBsn, String childId, String childBsn,
		Map<String, String> consentIds) {

	private static final String CHILD_PROFILE = "https://kansrijkestart.nl/fhir/StructureDefinition/ks-child";

	/**
	 * Submits a pregnancy and the consents made by {@code consents(mother, child)}; ids
	 * are the consents' names.
	 */
	public static Family submit(FhirHttp http, PregnancyGenerator.GeneratedPregnancy pregnancy,
			BiFunction<Reference, Reference, List<Consent>> consents) {
		return submit(http, pregnancy.bundle(), consents);
	}

	/**
	 * As above, for a (changed) pregnancy bundle; a bundle without a child gives a null
	 * child.
	 */
	public static Family submit(FhirHttp http, Bundle pregnancy,
			BiFunction<Reference, Reference, List<Consent>> consents) {
		Bundle bundle = pregnancy.copy();
		String motherUrl = null;
		String childUrl = null;
		for (Bundle.BundleEntryComponent e : bundle.getEntry()) {
			if (e.getResource() instanceof Patient p) {
				boolean child = p.getMeta().hasProfile(CHILD_PROFILE);
				if (child && childUrl == null) {
					childUrl = e.getFullUrl();
				}
				else if (!child && motherUrl == null) {
					motherUrl = e.getFullUrl();
				}
			}
		}
		for (Consent c : consents.apply(new Reference(motherUrl), childUrl == null ? null : new Reference(childUrl))) {
			String name = c.getIdElement().getIdPart();
			c.setId((String) null);
			bundle.addEntry()
				.setFullUrl("urn:uuid:" + java.util.UUID.randomUUID())
				.setResource(c)
				.getRequest()
				.setMethod(Bundle.HTTPVerb.POST)
				.setUrl("Consent");
			c.setUserData("name", name);
		}
		FhirHttp.Response response = http.submit("/fhir", FhirHttp.json(bundle));
		assertThat(response.status()).as(response.body()).isEqualTo(200);
		List<Bundle.BundleEntryComponent> results = response.as(Bundle.class).getEntry();
		String motherId = null;
		String childId = null;
		String motherBsn = null;
		String childBsn = null;
		Map<String, String> consentIds = new HashMap<>();
		for (int i = 0; i < bundle.getEntry().size(); i++) {
			var resource = bundle.getEntry().get(i).getResource();
			String id = results.get(i).getResponse().getLocation().split("/")[1];
			if (motherUrl.equals(bundle.getEntry().get(i).getFullUrl())) {
				motherId = id;
				motherBsn = bsn((Patient) resource);
			}
			else if (childUrl != null && childUrl.equals(bundle.getEntry().get(i).getFullUrl())) {
				childId = id;
				childBsn = bsn((Patient) resource);
			}
			else if (resource instanceof Consent c) {
				consentIds.put((String) c.getUserData("name"), id);
			}
		}
		return new Family(motherId, motherBsn, childId, childBsn, consentIds);
	}

	private static String bsn(Patient p) {
		return p.getIdentifier()
			.stream()
			.filter(i -> ExternalSystems.BSN_SYSTEM.equals(i.getSystem()))
			.map(Identifier::getValue)
			.findFirst()
			.orElse(null);
	}

	/** {@code Consent/id} of a consent by its name. */
	public String consent(String name) {
		return "Consent/" + consentIds.get(name);
	}
}
