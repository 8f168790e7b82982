package nl.kansrijkestart.gateway.fhir;

import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.time.Instant;
import nl.kansrijkestart.gateway.retention.RetentionPurge;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Parameters;
import org.springframework.stereotype.Component;

/**
 * {@code POST /fhir/$purge-expired}: the administrator runs the retention purge now
 * instead of waiting for its schedule.
 */
@Component
class RetentionOperationProvider {

	private final RetentionPurge purge;

	RetentionOperationProvider(RetentionPurge purge) {
		this.purge = purge;
	}

	@Operation(name = "$purge-expired", idempotent = false)
	public Parameters purgeExpired(RequestDetails request) {
		RetentionPurge.Result result = purge.purgeExpired(Instant.now(), AccessInterceptor.caller(request));
		Parameters out = new Parameters();
		out.addParameter().setName("records").setValue(new IntegerType(result.records()));
		out.addParameter().setName("resources").setValue(new IntegerType(result.resources()));
		return out;
	}

}
