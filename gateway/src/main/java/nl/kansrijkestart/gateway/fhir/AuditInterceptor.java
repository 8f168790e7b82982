package nl.kansrijkestart.gateway.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import nl.kansrijkestart.gateway.audit.AuditRecord;
import nl.kansrijkestart.gateway.audit.AuditTrail;
import nl.kansrijkestart.gateway.audit.QueryRedaction;
import nl.kansrijkestart.gateway.ingest.EntryOutcome;
import nl.kansrijkestart.gateway.privacy.Pseudonymizer;
import nl.kansrijkestart.gateway.security.Caller;
import nl.kansrijkestart.gateway.store.ResourceStore;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Records every FHIR access in the audit trail. Reads and searches are recorded before
 * the response is sent: if the record cannot be written, the client gets an error instead
 * of the data. Writes are recorded inside their database transaction ({@link #forWrite}).
 * Refused requests are recorded as failures.
 */
@Component
@Interceptor
class AuditInterceptor {

	private static final Logger log = LoggerFactory.getLogger(AuditInterceptor.class);

	private static final Set<RestOperationTypeEnum> WRITES = EnumSet.of(RestOperationTypeEnum.CREATE,
			RestOperationTypeEnum.UPDATE, RestOperationTypeEnum.TRANSACTION, RestOperationTypeEnum.BATCH);

	private final AuditTrail trail;

	private final ResourceStore store;

	private final Pseudonymizer pseudonymizer;

	AuditInterceptor(AuditTrail trail, ResourceStore store, Pseudonymizer pseudonymizer) {
		this.trail = trail;
		this.store = store;
		this.pseudonymizer = pseudonymizer;
	}

	@Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
	public boolean recordDisclosure(RequestDetails request, IBaseResource response) {
		RestOperationTypeEnum operation = request.getRestOperationType();
		Caller caller = AccessInterceptor.caller(request);
		if (caller == null || operation == RestOperationTypeEnum.METADATA || WRITES.contains(operation)) {
			return true;
		}
		List<String> entities = new ArrayList<>();
		if (operation == RestOperationTypeEnum.EXTENDED_OPERATION_INSTANCE && request.getId() != null) {
			// An operation on a resource discloses something about it (e.g. a consent
			// decision about a Patient).
			entities.add(request.getResourceName() + "/" + request.getId().getIdPart());
		}
		else if (response instanceof Bundle bundle && operation != RestOperationTypeEnum.READ
				&& operation != RestOperationTypeEnum.VREAD) {
			bundle.getEntry()
				.stream()
				.filter(Bundle.BundleEntryComponent::hasResource)
				.forEach(e -> entities.add(reference(e.getResource())));
		}
		else if (response instanceof Resource resource && !(resource instanceof OperationOutcome)) {
			entities.add(reference(resource));
		}
		boolean search = operation == RestOperationTypeEnum.SEARCH_TYPE || operation == RestOperationTypeEnum.GET_PAGE;
		trail.record(new AuditRecord(Instant.now(),
				search || operation.name().startsWith("EXTENDED") ? AuditRecord.Action.E : AuditRecord.Action.R,
				subtype(operation), AuditRecord.Outcome.SUCCESS, null, caller, caller.purposeOfUse(),
				store.patientsOf(entities), entities, search ? query(request) : null, address(request)));
		return true;
	}

	@Hook(Pointcut.SERVER_HANDLE_EXCEPTION)
	public boolean recordRefusal(RequestDetails request, BaseServerResponseException exception) {
		Caller caller = AccessInterceptor.caller(request);
		if (caller == null) {
			return true;
		}
		RestOperationTypeEnum operation = request.getRestOperationType();
		String target = request.getId() != null && request.getId().hasIdPart()
				? request.getResourceName() + "/" + request.getId().getIdPart() : null;
		try {
			trail.record(new AuditRecord(Instant.now(), action(operation), subtype(operation),
					exception.getStatusCode() >= 500 ? AuditRecord.Outcome.SERIOUS_FAILURE
							: AuditRecord.Outcome.MINOR_FAILURE,
					outcomeDescription(request, exception), caller, caller.purposeOfUse(), Set.of(),
					target == null ? List.of() : List.of(target),
					operation == RestOperationTypeEnum.SEARCH_TYPE ? query(request) : null, address(request)));
		}
		catch (RuntimeException e) {
			// The request has failed already; a failing audit store must not hide why.
			log.error("Could not record a refused {} in the audit trail: {}", operation, e.getClass().getSimpleName());
		}
		return true;
	}

	/** Records a write in the audit trail inside the write's own transaction. */
	Consumer<List<EntryOutcome>> forWrite(RequestDetails request) {
		Caller caller = AccessInterceptor.caller(request);
		RestOperationTypeEnum operation = request.getRestOperationType();
		return outcomes -> {
			List<String> entities = outcomes.stream().map(EntryOutcome::location).toList();
			List<String> refs = outcomes.stream().map(o -> o.resourceType() + "/" + o.id()).toList();
			boolean created = outcomes.stream().allMatch(EntryOutcome::created);
			trail.record(new AuditRecord(Instant.now(), created ? AuditRecord.Action.C : AuditRecord.Action.U,
					subtype(operation), AuditRecord.Outcome.SUCCESS, null, caller, caller.purposeOfUse(),
					store.patientsOf(refs), entities, null, address(request)));
		};
	}

	private String query(RequestDetails request) {
		return QueryRedaction.redact(request.getResourceName(), request.getParameters(), pseudonymizer);
	}

	private static String reference(Resource resource) {
		return resource.fhirType() + "/" + resource.getIdElement().getIdPart()
				+ (resource.getMeta().hasVersionId() ? "/_history/" + resource.getMeta().getVersionId() : "");
	}

	private static AuditRecord.Action action(RestOperationTypeEnum operation) {
		if (operation == null) {
			return AuditRecord.Action.E;
		}
		return switch (operation) {
			case CREATE, TRANSACTION, BATCH -> AuditRecord.Action.C;
			case UPDATE, PATCH -> AuditRecord.Action.U;
			case DELETE -> AuditRecord.Action.D;
			case READ, VREAD, HISTORY_INSTANCE, HISTORY_TYPE -> AuditRecord.Action.R;
			default -> AuditRecord.Action.E;
		};
	}

	/** The restful-interaction code of the operation. */
	private static String subtype(RestOperationTypeEnum operation) {
		if (operation == null) {
			return "operation";
		}
		return switch (operation) {
			case READ -> "read";
			case VREAD -> "vread";
			case HISTORY_INSTANCE -> "history-instance";
			case HISTORY_TYPE -> "history-type";
			case SEARCH_TYPE, GET_PAGE -> "search-type";
			case CREATE -> "create";
			case UPDATE -> "update";
			case PATCH -> "patch";
			case DELETE -> "delete";
			case TRANSACTION -> "transaction";
			case BATCH -> "batch";
			default -> "operation";
		};
	}

	private static String address(RequestDetails request) {
		return request instanceof ServletRequestDetails servlet ? servlet.getServletRequest().getRemoteAddr() : null;
	}

	/**
	 * The status and, for a refusal by policy, its reason; never the error message, which
	 * may quote the client's data.
	 */
	private static String outcomeDescription(RequestDetails request, BaseServerResponseException exception) {
		var decision = AccessInterceptor.decision(request);
		return exception.getStatusCode() + (decision != null && !decision.permitted() ? " " + decision.reason() : "");
	}

}
