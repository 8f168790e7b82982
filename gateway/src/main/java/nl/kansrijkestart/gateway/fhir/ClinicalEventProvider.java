package nl.kansrijkestart.gateway.fhir;

import ca.uhn.fhir.model.api.Include;
import ca.uhn.fhir.rest.annotation.Count;
import ca.uhn.fhir.rest.annotation.IncludeParam;
import ca.uhn.fhir.rest.annotation.Offset;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.annotation.Sort;
import ca.uhn.fhir.rest.api.SortSpec;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.param.DateRangeParam;
import ca.uhn.fhir.rest.param.ReferenceAndListParam;
import ca.uhn.fhir.rest.param.TokenAndListParam;
import java.util.Set;
import org.hl7.fhir.r4.model.Resource;

/**
 * Search for the clinical event types (Observation, Procedure): identifier, code,
 * subject/patient, date.
 */
abstract class ClinicalEventProvider extends WritableResourceProvider {

	ClinicalEventProvider(Class<? extends Resource> type, Providers deps) {
		super(type, deps);
	}

	@Search(allowUnknownParams = true)
	public IBundleProvider search(@OptionalParam(name = "identifier") TokenAndListParam identifier,
			@OptionalParam(name = "code") TokenAndListParam code,
			@OptionalParam(name = "subject") ReferenceAndListParam subject,
			@OptionalParam(name = "patient") ReferenceAndListParam patient,
			@OptionalParam(name = "date") DateRangeParam date, @OptionalParam(name = "_id") TokenAndListParam ids,
			@OptionalParam(name = "_lastUpdated") DateRangeParam lastUpdated, @Sort SortSpec sort,
			@IncludeParam(allow = { "Observation:subject", "Observation:patient", "Procedure:subject",
					"Procedure:patient" }) Set<Include> includes,
			@Count Integer count, @Offset Integer offset, RequestDetails request) {
		return search.search(typeName(),
				new SearchSupport.Criteria().tokens("identifier", identifier)
					.tokens("code", code)
					.references("subject", null, subject)
					.references("patient", "Patient", patient)
					.date("date", date),
				ids, lastUpdated, sort, includes, count, offset, request);
	}

}
