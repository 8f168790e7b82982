package nl.kansrijkestart.gateway.ingest;

import java.time.Instant;
import org.hl7.fhir.r4.model.Resource;

/**
 * The result of one write: HTTP-style status and the version that is now current.
 * {@code resource} is the new version when this write stored one, null when the current
 * version was kept (no-op resend, conditional match): a transaction response does not
 * carry it, so it is not parsed back from storage here.
 */
public record EntryOutcome(int index, int status, String resourceType, String id, long version, Instant lastUpdated,
		Resource resource) {

	public String location() {
		return resourceType + "/" + id + "/_history/" + version;
	}

	public boolean created() {
		return status == 201;
	}
}
