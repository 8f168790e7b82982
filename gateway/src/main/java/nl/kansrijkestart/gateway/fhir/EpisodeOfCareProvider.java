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
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.springframework.stereotype.Component;

@Component
class EpisodeOfCareProvider extends WritableResourceProvider {

	EpisodeOfCareProvider(Providers deps) {
		super(EpisodeOfCare.class, deps);
	}

	@Search(allowUnknownParams = true)
	public IBundleProvider search(@OptionalParam(name = "identifier") TokenAndListParam identifier,
			@OptionalParam(name = "patient") ReferenceAndListParam patient,
			@OptionalParam(name = "organization") ReferenceAndListParam organization,
			@OptionalParam(name = "type") TokenAndListParam type, @OptionalParam(name = "date") DateRangeParam date,
			@OptionalParam(name = "_id") TokenAndListParam ids,
			@OptionalParam(name = "_lastUpdated") DateRangeParam lastUpdated, @Sort SortSpec sort,
			@IncludeParam(allow = { "EpisodeOfCare:patient", "EpisodeOfCare:organization" }) Set<Include> includes,
			@Count Integer count, @Offset Integer offset, RequestDetails request) {
		return search.search(typeName(),
				new SearchSupport.Criteria().tokens("identifier", identifier)
					.references("patient", "Patient", patient)
					.references("organization", "Organization", organization)
					.tokens("type", type)
					.date("date", date),
				ids, lastUpdated, sort, includes, count, offset, request);
	}

}
