package nl.kansrijkestart.gateway.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import nl.kansrijkestart.gateway.consent.ConsentService;
import nl.kansrijkestart.gateway.consent.MonitoringPolicy;
import nl.kansrijkestart.gateway.ingest.ProfileCatalog;
import org.hl7.fhir.instance.model.api.IBaseConformance;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Extension;
import org.springframework.stereotype.Component;

/**
 * Adds our profiles (supportedProfile), identity and consent policy to the generated
 * CapabilityStatement.
 */
@Component
@Interceptor
class CapabilityStatementCustomizer {

	static final String CONSENT_POLICY = ProfileCatalog.CANONICAL_BASE + "StructureDefinition/ks-ext-consent-policy";

	private final ProfileCatalog catalog;
	static final String OAUTH_URIS = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris";

	private final ConsentService consent;

	private final SmartDiscovery smart;

	CapabilityStatementCustomizer(ProfileCatalog catalog, ConsentService consent, SmartDiscovery smart) {
		this.catalog = catalog;
		this.consent = consent;
		this.smart = smart;
	}

	@Hook(Pointcut.SERVER_CAPABILITY_STATEMENT_GENERATED)
	public void customize(IBaseConformance generated) {
		CapabilityStatement cs = (CapabilityStatement) generated;
		cs.setName("KansrijkeStartGateway");
		cs.setTitle("Kansrijke Start gateway");
		cs.setPublisher("Kansrijke Start gateway");
		cs.getSoftware().setName("Kansrijke Start gateway").setVersion(null);
		cs.getImplementation().setDescription("Birth care to youth health care (JGZ) gateway, FHIR R4");
		Extension policy = cs.addExtension().setUrl(CONSENT_POLICY);
		policy.addExtension("handover", new CodeType("opt-in"));
		policy.addExtension("monitoring",
				new CodeType(consent.monitoringPolicy() == MonitoringPolicy.OPT_OUT ? "opt-out" : "opt-in"));
		for (CapabilityStatement.CapabilityStatementRestComponent rest : cs.getRest()) {
			// One @Transaction method serves both Bundle types; HAPI only lists the
			// first.
			if (rest.getInteraction()
				.stream()
				.noneMatch(i -> i.getCode() == CapabilityStatement.SystemRestfulInteraction.BATCH)) {
				rest.addInteraction().setCode(CapabilityStatement.SystemRestfulInteraction.BATCH);
			}
			rest.setDocumentation(
					"Writes are validated against the Kansrijke Start profiles. Every interaction but this one"
							+ " needs an OAuth2 bearer token (SMART backend services: client credentials, system/ scopes) naming the"
							+ " caller's organisation and role; submitters see only their own organisation's resources.");
			rest.getSecurity()
				.setCors(false)
				.setDescription("OAuth2 bearer JWT with SMART system scopes and an organization claim")
				.addService(new org.hl7.fhir.r4.model.CodeableConcept(new org.hl7.fhir.r4.model.Coding(
						"http://terminology.hl7.org/CodeSystem/restful-security-service", "SMART-on-FHIR",
						"SMART-on-FHIR")));
			// The token and authorization endpoints, as SMART clients look for them (also
			// at .well-known/smart-configuration).
			smart.endpoints().ifPresent(endpoints -> {
				org.hl7.fhir.r4.model.Extension uris = rest.getSecurity().addExtension().setUrl(OAUTH_URIS);
				uris.addExtension("token", new org.hl7.fhir.r4.model.UriType(endpoints.token()));
				uris.addExtension("authorize", new org.hl7.fhir.r4.model.UriType(endpoints.authorization()));
			});
			for (CapabilityStatement.CapabilityStatementRestResourceComponent resource : rest.getResource()) {
				for (String profile : catalog.profilesFor(resource.getType())) {
					resource.getSupportedProfile().add(new CanonicalType(profile));
				}
				// Shared search methods allow the includes of all their types; list each
				// type's own.
				resource.getSearchInclude().removeIf(i -> !i.getValue().startsWith(resource.getType() + ":"));
				resource.setVersioning(CapabilityStatement.ResourceVersionPolicy.VERSIONEDUPDATE);
				resource.setReadHistory(true);
				// A client-chosen id could tell "free" from "another organisation's": no
				// update-as-create.
				resource.setUpdateCreate(false);
				resource.setConditionalUpdate(resource.getInteraction()
					.stream()
					.anyMatch(i -> i.getCode() == CapabilityStatement.TypeRestfulInteraction.UPDATE));
			}
		}
	}

}
