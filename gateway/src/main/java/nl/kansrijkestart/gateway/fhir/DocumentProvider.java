package nl.kansrijkestart.gateway.fhir;

import ca.uhn.fhir.rest.annotation.Count;
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
import org.hl7.fhir.r4.model.Bundle;
import org.springframework.stereotype.Component;

/**
 * Handover documents ({@code GET /fhir/Bundle/{id}}), for the JGZ organisation they were
 * made for.
 */
@Component
class DocumentProvider extends StoredResourceProvider {

	DocumentProvider(Providers deps) {
		super(Bundle.class, deps);
	}

	@Search(allowUnknownParams = true)
	public IBundleProvider search(@OptionalParam(name = "identifier") TokenAndListParam identifier,
			@OptionalParam(name = "_id") TokenAndListParam ids,
			@OptionalParam(name = "_lastUpdated") DateRangeParam lastUpdated, @Sort SortSpec sort, @Count Integer count,
			@Offset Integer offset, RequestDetails request) {
		return search.search(typeName(), new SearchSupport.Criteria().tokens("identifier", identifier), ids,
				lastUpdated, sort, Set.of(), count, offset, request);
	}

}
