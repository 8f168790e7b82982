package nl.kansrijkestart.gateway.fhir;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.time.Instant;
import nl.kansrijkestart.gateway.consent.ConsentDecision;
import nl.kansrijkestart.gateway.consent.ConsentService;
import nl.kansrijkestart.gateway.consent.Purpose;
import nl.kansrijkestart.gateway.security.OrganizationIdentifier;
import nl.kansrijkestart.gateway.store.ResourceStore;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.springframework.stereotype.Component;

/**
 * {@code GET /fhir/Patient/{id}/$consent-decision?purpose=TREAT|PUBHLTH[&actor=system|value][&at=dateTime]}: the consent
 * decision for a person, explained (docs/consent.md). Submitters ask about their own organisation's Patients; support
 * staff (administrators) about any.
 */
@Component
class ConsentDecisionProvider {

	private final ConsentService consent;
	private final ResourceStore store;

	ConsentDecisionProvider(ConsentService consent, ResourceStore store) {
		this.consent = consent;
		this.store = store;
	}

	@Operation(name = "$consent-decision", type = Patient.class, idempotent = true, returnParameters = {
			@OperationParam(name = "outcome", type = CodeType.class, min = 1, max = 1),
			@OperationParam(name = "ground", type = CodeType.class, min = 1, max = 1),
			@OperationParam(name = "reason", type = StringType.class, min = 1, max = 1),
			@OperationParam(name = "purpose", type = Coding.class, min = 1, max = 1),
			@OperationParam(name = "actor", type = Identifier.class, max = 1),
			@OperationParam(name = "at", type = DateTimeType.class, min = 1, max = 1),
			@OperationParam(name = "policy", type = CodeType.class, min = 1, max = 1),
			@OperationParam(name = "basis", type = Reference.class, max = OperationParam.MAX_UNLIMITED) })
	public Parameters consentDecision(@IdParam IdType id,
			@OperationParam(name = "purpose", min = 1, max = 1, typeName = "string") StringType purposeParam,
			@OperationParam(name = "actor", max = 1, typeName = "string") StringType actorParam,
			@OperationParam(name = "at", max = 1, typeName = "dateTime") DateTimeType atParam, RequestDetails request) {
		Purpose purpose = Purpose.fromCode(purposeParam == null ? null : purposeParam.getValue()).orElseThrow(() ->
				new InvalidRequestException("purpose must be TREAT (handover to JGZ) or PUBHLTH (monitoring)"));
		OrganizationIdentifier actor = null;
		if (actorParam != null && actorParam.hasValue()) {
			actor = OrganizationIdentifier.parse(actorParam.getValue()).orElseThrow(() -> new InvalidRequestException(
					"actor must be an organisation as system|value: a URA or AGB code of eight digits"));
		}
		Instant at = atParam == null || atParam.getValue() == null ? Instant.now() : atParam.getValue().toInstant();
		String partition = AccessInterceptor.partition(request);
		if (store.read("Patient", id.getIdPart(), partition).isEmpty()) {
			throw new ResourceNotFoundException(id);
		}
		ConsentDecision decision = consent.decide(id.getIdPart(), purpose, actor == null ? null : actor.token(), at)
				.orElseThrow(() -> new ResourceNotFoundException(id));
		Parameters out = new Parameters();
		out.addParameter().setName("outcome").setValue(new CodeType(decision.outcome().name().toLowerCase(java.util.Locale.ROOT)));
		out.addParameter().setName("ground").setValue(new CodeType(decision.ground().name().toLowerCase(java.util.Locale.ROOT)
				.replace('_', '-')));
		out.addParameter().setName("reason").setValue(new StringType(decision.reason()));
		out.addParameter().setName("purpose").setValue(new Coding(Purpose.SYSTEM, purpose.code(), purpose.description()));
		if (actor != null) {
			out.addParameter().setName("actor").setValue(new Identifier().setSystem(actor.system()).setValue(actor.value()));
		}
		out.addParameter().setName("at").setValue(new DateTimeType(java.util.Date.from(at)));
		out.addParameter().setName("policy").setValue(new CodeType(purpose == Purpose.HANDOVER ? "opt-in"
				: consent.monitoringPolicy().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')));
		for (String basis : decision.basis()) {
			out.addParameter().setName("basis").setValue(basisReference(basis, partition));
		}
		return out;
	}

	/**
	 * A consent the caller may read is referenced as such; another organisation's is only mentioned, so that its id
	 * does not leak; a registry consent by its URL at the registry.
	 */
	private Reference basisReference(String basis, String partition) {
		if (!basis.startsWith("Consent/")) {
			return new Reference(basis).setDisplay("consent in the national consent registry");
		}
		if (store.read("Consent", basis.substring("Consent/".length()), partition).isPresent()) {
			return new Reference(basis);
		}
		return new Reference().setDisplay("consent recorded by another organisation");
	}
}
