package nl.kansrijkestart.gateway.fhir;

import ca.uhn.fhir.rest.annotation.ConditionalUrlParam;
import ca.uhn.fhir.rest.annotation.Create;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.annotation.Update;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.util.List;
import nl.kansrijkestart.gateway.ingest.EntryOutcome;
import nl.kansrijkestart.gateway.ingest.EntryRequest;
import nl.kansrijkestart.gateway.ingest.IssueOutcomes;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Resource;

/**
 * Adds create and update (plain and conditional) for the types birth-care systems submit.
 */
abstract class WritableResourceProvider extends StoredResourceProvider {

	WritableResourceProvider(Class<? extends Resource> type, Providers deps) {
		super(type, deps);
	}

	@Create
	public MethodOutcome create(@ResourceParam IBaseResource resource, @ConditionalUrlParam String ifNoneExist,
			RequestDetails request) {
		String condition = ifNoneExist == null ? null : ifNoneExist.substring(ifNoneExist.indexOf('?') + 1);
		return write(new EntryRequest(0, "POST", typeName(), condition, null, null, (Resource) resource,
				WriteRequestInterceptor.report(request).entry(0)), request);
	}

	@Update
	public MethodOutcome update(@IdParam IdType id, @ResourceParam IBaseResource resource,
			@ConditionalUrlParam String conditional, RequestDetails request) {
		String url = conditional != null ? conditional.substring(conditional.indexOf(typeName()))
				: typeName() + "/" + id.getIdPart();
		return write(new EntryRequest(0, "PUT", url, null, request.getHeader("If-Match"), null, (Resource) resource,
				WriteRequestInterceptor.report(request).entry(0)), request);
	}

	private MethodOutcome write(EntryRequest entry, RequestDetails request) {
		baseUrl.relativiseReferences(entry.resource());
		EntryOutcome outcome = ingest
			.transaction(List.of(entry), AccessInterceptor.caller(request).organization(), audit.forWrite(request))
			.get(0);
		MethodOutcome result = new MethodOutcome(
				new IdType(outcome.resourceType(), outcome.id(), Long.toString(outcome.version())));
		result.setCreated(outcome.created());
		// What Prefer: return=OperationOutcome answers with.
		result.setOperationOutcome(
				IssueOutcomes.information((outcome.created() ? "Created " : "Stored ") + outcome.location()));
		result.setResource(outcome.resource() != null ? outcome.resource()
				: store.read(outcome.resourceType(), outcome.id(), AccessInterceptor.partition(request))
					.map(codec::parse)
					.orElse(null));
		return result;
	}

}
