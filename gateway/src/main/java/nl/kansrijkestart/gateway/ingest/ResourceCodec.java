package nl.kansrijkestart.gateway.ingest;

import ca.uhn.fhir.context.FhirContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import nl.kansrijkestart.gateway.store.StoredResource;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Resource;
import org.springframework.stereotype.Component;

/**
 * Converts between stored JSON and HAPI resources, and hashes content for change
 * detection.
 */
@Component
public class ResourceCodec {

	private final FhirContext fhirContext;

	public ResourceCodec(FhirContext fhirContext) {
		this.fhirContext = fhirContext;
	}

	/**
	 * Version and time live in their own columns and are put back into meta on every
	 * read.
	 */
	public Resource parse(StoredResource stored) {
		Resource resource = (Resource) fhirContext.newJsonParser().parseResource(stored.json());
		resource.setId(stored.resourceType() + "/" + stored.id() + "/_history/" + stored.version());
		resource.getMeta().setVersionId(Long.toString(stored.version()));
		resource.getMeta().setLastUpdatedElement(new InstantType(java.util.Date.from(stored.lastUpdated())));
		return resource;
	}

	public String encode(Resource resource) {
		return fhirContext.newJsonParser().encodeResourceToString(resource);
	}

	public static String sha256(String text) {
		try {
			return HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
		}
		catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}

}
