package nl.kansrijkestart.gateway.fhir;

import ca.uhn.fhir.rest.annotation.Count;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Offset;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.param.DateRangeParam;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import nl.kansrijkestart.gateway.audit.AuditTrail;
import nl.kansrijkestart.gateway.privacy.Pseudonymizer;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.IdType;
import org.springframework.stereotype.Component;

/**
 * The audit trail for administrators: {@code GET /fhir/AuditEvent?patient=&date=&agent=}.
 * {@code patient} takes a Patient id ({@code Patient/123}) or, with
 * {@code patient:identifier=http://fhir.nl/fhir/NamingSystem/bsn|...}, a BSN, which is
 * turned into its pseudonym and never stored. {@code agent} takes a client id or an
 * organisation {@code system|value}.
 */
@Component
class AuditEventProvider implements IResourceProvider {

	private final AuditTrail trail;

	private final Pseudonymizer pseudonymizer;

	private final SearchSupport search;

	AuditEventProvider(AuditTrail trail, Pseudonymizer pseudonymizer, SearchSupport search) {
		this.trail = trail;
		this.pseudonymizer = pseudonymizer;
		this.search = search;
	}

	@Override
	public Class<AuditEvent> getResourceType() {
		return AuditEvent.class;
	}

	@Read
	public AuditEvent read(@IdParam IdType id) {
		try {
			return trail.read(UUID.fromString(id.getIdPart())).orElseThrow(() -> new ResourceNotFoundException(id));
		}
		catch (IllegalArgumentException e) {
			throw new ResourceNotFoundException(id);
		}
	}

	@Search(allowUnknownParams = true)
	public IBundleProvider search(@OptionalParam(name = "date") DateRangeParam date, @Count Integer count,
			@Offset Integer offset, RequestDetails request) {
		Map<String, String[]> params = request.getParameters();
		List<String> patients = new ArrayList<>();
		List<String> pseudonyms = new ArrayList<>();
		for (String value : values(params, "patient")) {
			patients.add(value.startsWith("Patient/") ? value.substring("Patient/".length()) : value);
		}
		for (String value : values(params, "patient:identifier")) {
			int bar = value.indexOf('|');
			if (bar < 0 || !value.substring(0, bar).equals(AuditTrail.BSN_SYSTEM)) {
				throw new InvalidRequestException("patient:identifier takes " + AuditTrail.BSN_SYSTEM + "|<BSN>");
			}
			pseudonyms.add(pseudonymizer.pseudonym(Pseudonymizer.Domain.AUDIT, value.substring(bar + 1)));
		}
		SearchSupport.Paging paging = search.paging(count, offset);
		AuditTrail.Page page = trail.search(new AuditTrail.Query(patients, pseudonyms,
				date == null || date.getLowerBoundAsInstant() == null ? null
						: date.getLowerBoundAsInstant().toInstant(),
				date == null || date.getUpperBoundAsInstant() == null ? null
						: date.getUpperBoundAsInstant().toInstant(),
				values(params, "agent"), paging.offset(), paging.size()));
		return paging.bundle(new ArrayList<IBaseResource>(page.events()), page.total());
	}

	private static List<String> values(Map<String, String[]> params, String name) {
		String[] raw = params.get(name);
		return raw == null ? List.of()
				: Arrays.stream(raw).flatMap(v -> Arrays.stream(v.split(","))).filter(v -> !v.isBlank()).toList();
	}

}
