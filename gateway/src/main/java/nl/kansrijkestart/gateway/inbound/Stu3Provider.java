package nl.kansrijkestart.gateway.inbound;

import ca.uhn.fhir.rest.annotation.Create;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.annotation.Transaction;
import ca.uhn.fhir.rest.annotation.TransactionParam;
import ca.uhn.fhir.rest.annotation.Update;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.exceptions.AuthenticationException;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import java.util.ArrayList;
import java.util.List;
import nl.kansrijkestart.gateway.ingest.EntryOutcome;
import nl.kansrijkestart.gateway.ingest.IngestSource;
import nl.kansrijkestart.gateway.security.Caller;
import org.hl7.fhir.convertors.factory.VersionConvertorFactory_30_40;
import org.hl7.fhir.dstu3.model.Bundle;
import org.hl7.fhir.dstu3.model.OperationOutcome;
import org.hl7.fhir.dstu3.model.Resource;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.springframework.stereotype.Component;

/**
 * The STU3 interactions: a Bundle posted to the base, or one resource posted to its type.
 * Thin: the shape check, the translation and the write are {@link Stu3Shape},
 * {@link Stu3Translation} and {@link InboundWriter}.
 */
@Component
class Stu3Provider {

	/**
	 * STU3 types a birth-care EHR posts on their own; each is accepted and translated, or
	 * left out with a reason.
	 */
	private static final List<Class<? extends Resource>> TYPES = List.of(org.hl7.fhir.dstu3.model.Patient.class,
			org.hl7.fhir.dstu3.model.Observation.class, org.hl7.fhir.dstu3.model.EpisodeOfCare.class,
			org.hl7.fhir.dstu3.model.Procedure.class, org.hl7.fhir.dstu3.model.RelatedPerson.class,
			org.hl7.fhir.dstu3.model.Encounter.class, org.hl7.fhir.dstu3.model.Condition.class,
			org.hl7.fhir.dstu3.model.Organization.class, org.hl7.fhir.dstu3.model.Practitioner.class);

	private final Stu3Translation translation;

	private final InboundWriter writer;

	private final InboundMappings mappings;

	Stu3Provider(Stu3Translation translation, InboundWriter writer, InboundMappings mappings) {
		this.translation = translation;
		this.writer = writer;
		this.mappings = mappings;
	}

	@Transaction
	public Bundle transaction(@TransactionParam Bundle bundle, RequestDetails request) {
		List<Stu3Translation.Stu3Entry> entries = new ArrayList<>();
		for (int i = 0; i < bundle.getEntry().size(); i++) {
			Bundle.BundleEntryComponent e = bundle.getEntry().get(i);
			if (!e.hasResource()) {
				throw new InvalidRequestException("Bundle.entry[" + i
						+ "]: an entry without a resource; only POST and PUT of resources are accepted");
			}
			entries.add(new Stu3Translation.Stu3Entry(i, "Bundle.entry[" + i + "].resource", e.getFullUrl(),
					e.getResource()));
		}
		Result result = write(entries, request);
		Bundle response = new Bundle().setType(bundle.getType() == Bundle.BundleType.BATCH
				? Bundle.BundleType.BATCHRESPONSE : Bundle.BundleType.TRANSACTIONRESPONSE);
		for (Stu3Translation.Note note : result.translation().notes()) {
			Bundle.BundleEntryComponent entry = response.addEntry();
			boolean created = note.written() >= 0 && result.outcomes().get(note.written()).created();
			entry.getResponse()
				.setStatus(created ? "201 Created" : "200 OK")
				.setOutcome(information(describe(note, result)));
		}
		return response;
	}

	/**
	 * One IResourceProvider per accepted type: a single resource posted to
	 * {@code /fhir/stu3/[type]}.
	 */
	List<IResourceProvider> createProviders() {
		return TYPES.stream().map(type -> (IResourceProvider) new SingleResource(type)).toList();
	}

	private record Result(Stu3Translation.Translation translation, List<EntryOutcome> outcomes) {
	}

	private Result write(List<Stu3Translation.Stu3Entry> entries, RequestDetails request) {
		Caller caller = Caller.current().orElseThrow(() -> new AuthenticationException("A bearer token is required"));
		String address = ((ServletRequestDetails) request).getServletRequest().getRemoteAddr();
		try {
			writer.authorize(caller);
			entries.forEach(Stu3Shape::check);
			Stu3Translation.Translation t = translation.translate(entries, caller.organization());
			List<EntryOutcome> outcomes = t.bundle().getEntry().isEmpty() ? List.of() : writer.write(t.bundle(), caller,
					address, new IngestSource(Stu3Translation.FORMAT, null, mappings.canonicals()), t.paths());
			return new Result(t, outcomes);
		}
		catch (BaseServerResponseException e) {
			writer.recordRefusal(caller, "stu3-transaction", e, address);
			throw inStu3(e);
		}
	}

	/** Errors of the R4 ingest answer in STU3, as the rest of this endpoint does. */
	private static BaseServerResponseException inStu3(BaseServerResponseException e) {
		if (e.getOperationOutcome() instanceof org.hl7.fhir.r4.model.OperationOutcome r4) {
			e.setOperationOutcome((OperationOutcome) VersionConvertorFactory_30_40.convertResource(r4));
		}
		return e;
	}

	private static String describe(Stu3Translation.Note note, Result result) {
		if (note.leftOut() != null) {
			return "Left out: " + note.leftOut();
		}
		if (note.written() < 0) {
			return "Mapped into " + note.ksProfile() + " (with the birth it is about)";
		}
		EntryOutcome outcome = result.outcomes().get(note.written());
		return "Mapped to " + note.ksProfile() + ": "
				+ (outcome.created() ? "created " : outcome.resource() == null ? "unchanged " : "updated to ")
				+ outcome.location();
	}

	private static OperationOutcome information(String text) {
		OperationOutcome oo = new OperationOutcome();
		oo.addIssue()
			.setSeverity(OperationOutcome.IssueSeverity.INFORMATION)
			.setCode(OperationOutcome.IssueType.INFORMATIONAL)
			.setDiagnostics(text);
		return oo;
	}

	/**
	 * {@code POST /fhir/stu3/[type]}: the resource alone, translated like a one-entry
	 * bundle.
	 */
	final class SingleResource implements IResourceProvider {

		private final Class<? extends Resource> type;

		SingleResource(Class<? extends Resource> type) {
			this.type = type;
		}

		@Override
		public Class<? extends IBaseResource> getResourceType() {
			return type;
		}

		/**
		 * A POST: idempotent only through the resource's own identifier (a POST's id is
		 * not the sender's to give).
		 */
		@Create
		public MethodOutcome create(@ResourceParam Resource resource, RequestDetails request) {
			return single(resource, request);
		}

		/** A PUT under the sender's id: sending it again changes nothing. */
		@Update
		public MethodOutcome update(@IdParam org.hl7.fhir.dstu3.model.IdType id, @ResourceParam Resource resource,
				RequestDetails request) {
			resource.setId(id.getIdPart());
			return single(resource, request);
		}

		private MethodOutcome single(Resource resource, RequestDetails request) {
			Result result = write(List.of(new Stu3Translation.Stu3Entry(0, resource.fhirType(), null, resource)),
					request);
			// The resource lives at /fhir in its ks- form: the answer is the outcome
			// naming it there, not a copy under this base.
			OperationOutcome said = information(describe(result.translation().notes().get(0), result));
			MethodOutcome outcome = new MethodOutcome().setOperationOutcome(said);
			outcome.setResource(said);
			return outcome;
		}

	}

}
