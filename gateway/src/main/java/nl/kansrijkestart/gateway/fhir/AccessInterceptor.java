package nl.kansrijkestart.gateway.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.AuthenticationException;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.MethodNotAllowedException;
import ca.uhn.fhir.rest.api.RequestTypeEnum;
import java.util.List;
import nl.kansrijkestart.gateway.ingest.EntryRequest;
import nl.kansrijkestart.gateway.security.AccessDecision;
import nl.kansrijkestart.gateway.security.AccessPolicy;
import nl.kansrijkestart.gateway.security.Caller;
import nl.kansrijkestart.gateway.security.Interaction;
import org.springframework.stereotype.Component;

/**
 * Asks {@link AccessPolicy} about every FHIR request before anything else looks at it
 * (validation included), refuses with 403, and leaves the decision on the request: its
 * partition confines every store access that follows.
 */
@Component
@Interceptor
class AccessInterceptor {

	private static final String DECISION = AccessInterceptor.class.getName() + ".decision";

	private static final String CALLER = AccessInterceptor.class.getName() + ".caller";

	private final AccessPolicy policy;

	AccessInterceptor(AccessPolicy policy) {
		this.policy = policy;
	}

	@Hook(value = Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED, order = -100)
	public boolean authorize(RequestDetails request) {
		RestOperationTypeEnum operation = request.getRestOperationType();
		if (operation == RestOperationTypeEnum.METADATA) {
			return true;
		}
		Caller caller = Caller.current().orElseThrow(() -> new AuthenticationException("A bearer token is required"));
		request.getUserData().put(CALLER, caller);
		if (operation == RestOperationTypeEnum.DELETE) {
			throw deleteNotAllowed();
		}
		Interaction interaction = interaction(operation);
		String type = switch (operation) {
			case TRANSACTION, BATCH -> AccessPolicy.BUNDLE;
			case EXTENDED_OPERATION_SERVER -> AccessPolicy.SERVER;
			default -> request.getResourceName() == null ? "*" : request.getResourceName();
		};
		AccessDecision decision = interaction == null
				? new AccessDecision(false, operation + " is not offered", "default deny", null)
				: policy.decide(caller, interaction, type);
		request.getUserData().put(DECISION, decision);
		if (!decision.permitted()) {
			throw new ForbiddenOperationException("Access denied: " + decision.reason());
		}
		return true;
	}

	/**
	 * Each entry of a transaction or batch is a create or update its type must allow,
	 * like a single write.
	 */
	void authorizeEntries(RequestDetails request, List<EntryRequest> entries) {
		Caller caller = caller(request);
		for (EntryRequest entry : entries) {
			if (entry.validation() == null) {
				// a rejected batch entry: answered with its validation issues, never
				// written
				continue;
			}
			Interaction interaction = entry.method().equals("POST") ? Interaction.CREATE : Interaction.UPDATE;
			AccessDecision decision = policy.decide(caller, interaction, entry.resource().fhirType());
			if (!decision.permitted()) {
				request.getUserData().put(DECISION, decision);
				throw new ForbiddenOperationException(
						"Entry " + entry.index() + ": access denied: " + decision.reason());
			}
		}
	}

	/**
	 * Records are corrected by a new version, and removed only by the retention purge: no
	 * client deletes.
	 */
	static MethodNotAllowedException deleteNotAllowed() {
		MethodNotAllowedException e = new MethodNotAllowedException(
				"DELETE is not offered: send a corrected version instead;"
						+ " records are removed by the retention rules (docs/security.md)");
		e.setAllowedMethods(RequestTypeEnum.GET, RequestTypeEnum.POST, RequestTypeEnum.PUT);
		return e;
	}

	private static Interaction interaction(RestOperationTypeEnum operation) {
		return switch (operation) {
			case READ, VREAD, HISTORY_INSTANCE, HISTORY_TYPE -> Interaction.READ;
			case SEARCH_TYPE, GET_PAGE -> Interaction.SEARCH;
			case CREATE -> Interaction.CREATE;
			case UPDATE, PATCH -> Interaction.UPDATE;
			case DELETE -> Interaction.DELETE;
			case TRANSACTION, BATCH -> Interaction.TRANSACTION;
			case EXTENDED_OPERATION_SERVER, EXTENDED_OPERATION_TYPE, EXTENDED_OPERATION_INSTANCE ->
				Interaction.OPERATION;
			default -> null;
		};
	}

	static Caller caller(RequestDetails request) {
		return (Caller) request.getUserData().get(CALLER);
	}

	static AccessDecision decision(RequestDetails request) {
		return (AccessDecision) request.getUserData().get(DECISION);
	}

	/**
	 * The partition (organisation {@code system|value}) the request is confined to, or
	 * null for none.
	 */
	static String partition(RequestDetails request) {
		AccessDecision decision = decision(request);
		if (decision == null || !decision.permitted()) {
			throw new IllegalStateException("No access decision on this request");
		}
		return decision.partition() == null ? null : decision.partition().token();
	}

}
