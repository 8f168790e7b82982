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
import org.hl7.fhir.r4.model.Consent;
import org.springframework.stereotype.Component;

/**
 * The consents birth-care systems record for their clients (ks-consent); decisions are
 * made in the consent package.
 */
@Component
class ConsentProvider extends WritableResourceProvider {

	ConsentProvider(Providers deps) {
		super(Consent.class, deps);
	}

	@Search(allowUnknownParams = true)
	public IBundleProvider search(@OptionalParam(name = "identifier") TokenAndListParam identifier,
			@OptionalParam(name = "patient") ReferenceAndListParam patient,
			@OptionalParam(name = "status") TokenAndListParam status,
			@OptionalParam(name = "purpose") TokenAndListParam purpose,
			@OptionalParam(name = "date") DateRangeParam date, @OptionalParam(name = "_id") TokenAndListParam ids,
			@OptionalParam(name = "_lastUpdated") DateRangeParam lastUpdated, @Sort SortSpec sort,
			@IncludeParam(allow = { "Consent:patient" }) Set<Include> includes, @Count Integer count,
			@Offset Integer offset, RequestDetails request) {
		return search.search(typeName(),
				new SearchSupport.Criteria().tokens("identifier", identifier)
					.references("patient", "Patient", patient)
					.tokens("status", status)
					.tokens("purpose", purpose)
					.date("date", date),
				ids, lastUpdated, sort, includes, count, offset, request);
	}

}
