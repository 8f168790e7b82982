package nl.kansrijkestart.gateway.fhir;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.time.Instant;
import nl.kansrijkestart.gateway.consent.ConsentDecision;
import nl.kansrijkestart.gateway.consent.ConsentService;
import nl.kansrijkestart.gateway.consent.Purpose;
import nl.kansrijkestart.gateway.security.AccessPolicy;
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
 * {@code GET
 * /fhir/Patient/{id}/$consent-decision?purpose=TREAT|PUBHLTH[&actor=system|value][&at=dateTime]}:
 * the consent decision for a person, explained (docs/consent.md). Submitters ask about
 * their own organisation's Patients; support staff (administrators) about any. Auditors
 * read the decisions that gated data with {@code $consent-log}.
 */
@Component
class ConsentDecisionProvider {

	private final ConsentService consent;

	private final ResourceStore store;

	private final AccessPolicy policy;

	ConsentDecisionProvider(ConsentService consent, ResourceStore store, AccessPolicy policy) {
		this.consent = consent;
		this.store = store;
		this.policy = policy;
	}

	@Operation(name = "$consent-decision", type = Patient.class, idempotent = true,
			returnParameters = { @OperationParam(name = "outcome", type = CodeType.class, min = 1, max = 1),
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
		Purpose purpose = Purpose.fromCode(purposeParam == null ? null : purposeParam.getValue())
			.orElseThrow(() -> new InvalidRequestException(
					"purpose must be TREAT (handover to JGZ) or PUBHLTH (monitoring)"));
		OrganizationIdentifier actor = null;
		if (actorParam != null && actorParam.hasValue()) {
			actor = OrganizationIdentifier.parse(actorParam.getValue())
				.orElseThrow(() -> new InvalidRequestException(
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
		out.addParameter().setName("outcome").setValue(code(decision.outcome()));
		out.addParameter().setName("ground").setValue(code(decision.ground()));
		out.addParameter().setName("reason").setValue(new StringType(decision.reason()));
		out.addParameter().setName("purpose").setValue(purpose.coding());
		if (actor != null) {
			out.addParameter()
				.setName("actor")
				.setValue(new Identifier().setSystem(actor.system()).setValue(actor.value()));
		}
		out.addParameter().setName("at").setValue(new DateTimeType(java.util.Date.from(at)));
		out.addParameter()
			.setName("policy")
			.setValue(
					new CodeType(purpose == Purpose.HANDOVER ? "opt-in" : code(consent.monitoringPolicy()).getValue()));
		for (String basis : decision.basis()) {
			out.addParameter().setName("basis").setValue(basisReference(basis));
		}
		return out;
	}

	/**
	 * {@code GET /fhir/Patient/{id}/$consent-log} (administrators): every decision that
	 * let this person's data leave the gateway or kept it in, newest first: when, about
	 * which moment, purpose, recipient, outcome, ground, reason, basis and what it gated.
	 * For an auditor's "why was this sent" and "why was this not sent".
	 */
	@Operation(name = "$consent-log", type = Patient.class, idempotent = true)
	public Parameters consentLog(@IdParam IdType id, RequestDetails request) {
		var allowed = policy.decideDecisionLog(AccessInterceptor.caller(request));
		if (!allowed.permitted()) {
			throw new ForbiddenOperationException("Access denied: " + allowed.reason());
		}
		if (store.read("Patient", id.getIdPart(), AccessInterceptor.partition(request)).isEmpty()) {
			throw new ResourceNotFoundException(id);
		}
		Parameters out = new Parameters();
		for (var entry : consent.decisionLog(id.getIdPart())) {
			ConsentDecision d = entry.decision();
			var decision = out.addParameter().setName("decision");
			decision.addPart()
				.setName("decided")
				.setValue(new org.hl7.fhir.r4.model.InstantType(java.util.Date.from(entry.decidedAt())));
			decision.addPart().setName("at").setValue(new DateTimeType(java.util.Date.from(d.at())));
			decision.addPart().setName("patient").setValue(new Reference(d.patient()));
			decision.addPart().setName("purpose").setValue(d.purpose().coding());
			if (d.recipient() != null) {
				String[] org = d.recipient().split("\\|", 2);
				decision.addPart().setName("actor").setValue(new Identifier().setSystem(org[0]).setValue(org[1]));
			}
			decision.addPart().setName("outcome").setValue(code(d.outcome()));
			decision.addPart().setName("ground").setValue(code(d.ground()));
			decision.addPart().setName("reason").setValue(new StringType(d.reason()));
			d.basis().forEach(b -> decision.addPart().setName("basis").setValue(new Reference(b)));
			if (entry.context() != null) {
				decision.addPart().setName("context").setValue(new StringType(entry.context()));
			}
		}
		return out;
	}

	/** An enum constant as its code: LATEST_PERMIT becomes latest-permit. */
	private static CodeType code(Enum<?> value) {
		return new CodeType(value.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
	}

	/**
	 * A recorded consent is one of the organisation holding the record (the rule is per
	 * source organisation), so the caller may read it; a registry consent is referenced
	 * by its URL at the registry.
	 */
	private static Reference basisReference(String basis) {
		return basis.startsWith("Consent/") ? new Reference(basis)
				: new Reference(basis).setDisplay("consent in the national consent registry");
	}

}
