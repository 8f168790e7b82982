package nl.kansrijkestart.gateway.fhir;

import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import nl.kansrijkestart.gateway.handover.HandoverService;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Parameters;
import org.springframework.stereotype.Component;

/**
 * {@code POST /fhir/$reload-routing}: the administrator replaces the municipality → JGZ
 * organisation table with the configured file's current content; parked and rerouted
 * handovers are re-checked.
 */
@Component
class RoutingOperationProvider {

	private final HandoverService handovers;

	RoutingOperationProvider(HandoverService handovers) {
		this.handovers = handovers;
	}

	@Operation(name = "$reload-routing", idempotent = false)
	public Parameters reloadRouting() {
		Parameters out = new Parameters();
		try {
			out.addParameter().setName("routes").setValue(new IntegerType(handovers.reloadRouting()));
		}
		catch (IllegalArgumentException e) {
			// the administrator's file, not the request, is wrong: 422 with the line, and
			// the old table stays
			throw new UnprocessableEntityException(e.getMessage());
		}
		return out;
	}

}
