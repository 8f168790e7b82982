package nl.kansrijkestart.gateway.ingest;

import java.time.Instant;
import org.hl7.fhir.r4.model.Resource;

/** The result of one write: HTTP-style status and the version that is now current. */
public record EntryOutcome(int index, int status, String resourceType, String id, long version, Instant lastUpdated,
		Resource resource) {

	public String location() {
		return resourceType + "/" + id + "/_history/" + version;
	}

	public boolean created() {
		return status == 201;
	}
}
