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
import org.hl7.fhir.r4.model.Patient;
import org.springframework.stereotype.Component;

@Component
class PatientProvider extends WritableResourceProvider {

	PatientProvider(Providers deps) {
		super(Patient.class, deps);
	}

	@Search(allowUnknownParams = true)
	public IBundleProvider search(@OptionalParam(name = "identifier") TokenAndListParam identifier,
			@OptionalParam(name = "gender") TokenAndListParam gender,
			@OptionalParam(name = "birthdate") DateRangeParam birthdate,
			@OptionalParam(name = "_id") TokenAndListParam ids,
			@OptionalParam(name = "_lastUpdated") DateRangeParam lastUpdated, @Sort SortSpec sort,
			@IncludeParam Set<Include> includes, @Count Integer count, @Offset Integer offset, RequestDetails request) {
		return search.search(typeName(),
				new SearchSupport.Criteria().tokens("identifier", identifier)
					.tokens("gender", gender)
					.date("birthdate", birthdate),
				ids, lastUpdated, sort, includes, count, offset, request);
	}

}
