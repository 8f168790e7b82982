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
import org.hl7.fhir.r4.model.RelatedPerson;
import org.springframework.stereotype.Component;

@Component
class RelatedPersonProvider extends WritableResourceProvider {

	RelatedPersonProvider(Providers deps) {
		super(RelatedPerson.class, deps);
	}

	@Search(allowUnknownParams = true)
	public IBundleProvider search(@OptionalParam(name = "identifier") TokenAndListParam identifier,
			@OptionalParam(name = "patient") ReferenceAndListParam patient,
			@OptionalParam(name = "relationship") TokenAndListParam relationship,
			@OptionalParam(name = "_id") TokenAndListParam ids,
			@OptionalParam(name = "_lastUpdated") DateRangeParam lastUpdated, @Sort SortSpec sort,
			@IncludeParam(allow = { "RelatedPerson:patient" }) Set<Include> includes, @Count Integer count,
			@Offset Integer offset, RequestDetails request) {
		return search.search(typeName(),
				new SearchSupport.Criteria().tokens("identifier", identifier)
					.references("patient", "Patient", patient)
					.tokens("relationship", relationship),
				ids, lastUpdated, sort, includes, count, offset, request);
	}

}
