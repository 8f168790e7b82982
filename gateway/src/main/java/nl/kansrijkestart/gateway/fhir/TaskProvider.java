package nl.kansrijkestart.gateway.fhir;

import ca.uhn.fhir.rest.annotation.Count;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Offset;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.annotation.Sort;
import ca.uhn.fhir.rest.annotation.Update;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.api.SortSpec;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.param.DateRangeParam;
import ca.uhn.fhir.rest.param.TokenAndListParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nl.kansrijkestart.gateway.handover.HandoverService;
import nl.kansrijkestart.gateway.ingest.EntryOutcome;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Task;
import org.springframework.stereotype.Component;

/**
 * Handover Tasks, for the JGZ organisation they are for: list ({@code owner},
 * {@code status}, {@code _lastUpdated}), read, and acknowledge by updating the status to
 * completed or rejected.
 */
@Component
class TaskProvider extends StoredResourceProvider {

	private static final Pattern ETAG = Pattern.compile("(W/)?\"?([0-9]+)\"?");

	private final HandoverService handovers;

	TaskProvider(Providers deps, HandoverService handovers) {
		super(Task.class, deps);
		this.handovers = handovers;
	}

	@Search(allowUnknownParams = true)
	public IBundleProvider search(@OptionalParam(name = "owner") TokenAndListParam owner,
			@OptionalParam(name = "status") TokenAndListParam status,
			@OptionalParam(name = "code") TokenAndListParam code,
			@OptionalParam(name = "business-status") TokenAndListParam businessStatus,
			@OptionalParam(name = "_id") TokenAndListParam ids,
			@OptionalParam(name = "_lastUpdated") DateRangeParam lastUpdated, @Sort SortSpec sort, @Count Integer count,
			@Offset Integer offset, RequestDetails request) {
		return search.search(typeName(),
				new SearchSupport.Criteria().tokens("owner", owner)
					.tokens("status", status)
					.tokens("code", code)
					.tokens("business-status", businessStatus),
				ids, lastUpdated, sort, Set.of(), count, offset, request);
	}

	@Update
	public MethodOutcome acknowledge(@IdParam IdType id, @ResourceParam Task task, RequestDetails request) {
		String ifMatch = request.getHeader("If-Match");
		Long expected = null;
		if (ifMatch != null && !ifMatch.isBlank()) {
			Matcher m = ETAG.matcher(ifMatch.trim());
			if (!m.matches()) {
				throw new InvalidRequestException("If-Match '" + ifMatch + "' is not a version ETag like W/\"3\"");
			}
			expected = Long.parseLong(m.group(2));
		}
		var auditWrite = audit.forWrite(request);
		HandoverService.Acknowledged done = handovers.acknowledge(id.getIdPart(), AccessInterceptor.partition(request),
				task, expected, result -> auditWrite.accept(List.of(new EntryOutcome(0, 200, "Task", result.id(),
						result.version(), result.lastUpdated(), result.task()))));
		MethodOutcome outcome = new MethodOutcome(new IdType("Task", done.id(), Long.toString(done.version())));
		outcome.setResource(done.task());
		return outcome;
	}

}
