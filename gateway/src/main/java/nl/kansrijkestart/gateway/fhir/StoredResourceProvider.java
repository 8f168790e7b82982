package nl.kansrijkestart.gateway.fhir;

import ca.uhn.fhir.rest.annotation.Delete;
import ca.uhn.fhir.rest.annotation.History;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.util.List;
import nl.kansrijkestart.gateway.ingest.IngestService;
import nl.kansrijkestart.gateway.ingest.ResourceCodec;
import nl.kansrijkestart.gateway.store.ResourceStore;
import nl.kansrijkestart.gateway.store.StoredResource;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Resource;

/**
 * Read, vread and history for one resource type, within the caller's partition (another
 * organisation's resource is not found); subclasses add the type's search (and writes).
 */
abstract class StoredResourceProvider implements IResourceProvider {

	protected final ResourceStore store;

	protected final ResourceCodec codec;

	protected final IngestService ingest;

	protected final SearchSupport search;

	protected final AuditInterceptor audit;

	protected final PublicBaseUrl baseUrl;

	private final Class<? extends Resource> type;

	StoredResourceProvider(Class<? extends Resource> type, Providers deps) {
		this.type = type;
		this.store = deps.store();
		this.codec = deps.codec();
		this.ingest = deps.ingest();
		this.search = deps.search();
		this.audit = deps.audit();
		this.baseUrl = deps.baseUrl();
	}

	@Override
	public Class<? extends IBaseResource> getResourceType() {
		return type;
	}

	protected String typeName() {
		return type.getSimpleName();
	}

	@Read(version = true)
	public IBaseResource read(@IdParam IdType id, RequestDetails request) {
		String partition = AccessInterceptor.partition(request);
		StoredResource stored = (id.hasVersionIdPart()
				? store.readVersion(typeName(), id.getIdPart(), versionOf(id), partition)
				: store.read(typeName(), id.getIdPart(), partition))
			.orElseThrow(() -> new ResourceNotFoundException(id));
		return codec.parse(stored);
	}

	@History
	public List<IBaseResource> history(@IdParam IdType id, RequestDetails request) {
		List<StoredResource> versions = store.history(typeName(), id.getIdPart(), AccessInterceptor.partition(request));
		if (versions.isEmpty()) {
			throw new ResourceNotFoundException(id);
		}
		return versions.stream().map(v -> (IBaseResource) codec.parse(v)).toList();
	}

	/**
	 * Bound so that DELETE is a known interaction: it is refused with 405
	 * ({@link AccessInterceptor}).
	 */
	@Delete
	public void delete(@IdParam IdType id) {
		throw AccessInterceptor.deleteNotAllowed();
	}

	private static long versionOf(IdType id) {
		try {
			return Long.parseLong(id.getVersionIdPart());
		}
		catch (NumberFormatException e) {
			throw new InvalidRequestException("Version '" + id.getVersionIdPart() + "' is not a number");
		}
	}

}
