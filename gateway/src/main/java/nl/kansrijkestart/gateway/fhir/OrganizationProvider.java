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
import ca.uhn.fhir.rest.param.TokenAndListParam;
import java.util.Set;
import org.hl7.fhir.r4.model.Organization;
import org.springframework.stereotype.Component;

@Component
class OrganizationProvider extends WritableResourceProvider {

	OrganizationProvider(Providers deps) {
		super(Organization.class, deps);
	}

	@Search(allowUnknownParams = true)
	public IBundleProvider search(@OptionalParam(name = "identifier") TokenAndListParam identifier,
			@OptionalParam(name = "_id") TokenAndListParam ids,
			@OptionalParam(name = "_lastUpdated") DateRangeParam lastUpdated, @Sort SortSpec sort,
			@IncludeParam Set<Include> includes, @Count Integer count, @Offset Integer offset, RequestDetails request) {
		return search.search(typeName(), new SearchSupport.Criteria().tokens("identifier", identifier), ids,
				lastUpdated, sort, includes, count, offset, request);
	}

}
