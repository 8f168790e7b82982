package nl.kansrijkestart.gateway.audit;

import ca.uhn.fhir.context.FhirContext;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import nl.kansrijkestart.gateway.privacy.Pseudonymizer;
import nl.kansrijkestart.gateway.security.Caller;
import nl.kansrijkestart.gateway.store.ResourceStore;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * Writes the audit trail: each {@link AuditRecord} becomes an AuditEvent shaped after IHE
 * BALP (client as source, organisation as user agent, gateway as destination, patient
 * entities with keyed pseudonyms). Joins the caller's transaction, so a write and its
 * audit record commit together; a failure here fails the action.
 */
@Service
public class AuditTrail {

	public static final String CLIENT_ID_SYSTEM = "https://kansrijkestart.nl/fhir/NamingSystem/client-id";
	static final String DCM = "http://dicom.nema.org/resources/ontology/DCM";

	public static final String BSN_SYSTEM = "http://fhir.nl/fhir/NamingSystem/bsn";

	private final JdbcTemplate jdbc;

	private final ResourceStore store;

	private final Pseudonymizer pseudonymizer;

	private final FhirContext fhirContext;

	public AuditTrail(JdbcTemplate jdbc, ResourceStore store, Pseudonymizer pseudonymizer, FhirContext fhirContext) {
		this.jdbc = jdbc;
		this.store = store;
		this.pseudonymizer = pseudonymizer;
		this.fhirContext = fhirContext;
	}

	public void record(AuditRecord record) {
		List<String> patients = new ArrayList<>(record.patients());
		Map<String, String> bsnById = store.identifierValues("Patient",
				patients.stream().map(p -> p.substring(p.indexOf('/') + 1)).toList(), BSN_SYSTEM);
		List<String> pseudonyms = new ArrayList<>();
		UUID id = UUID.randomUUID();
		AuditEvent event = new AuditEvent();
		event.setId(id.toString());
		event.setType(record.subtype().equals("destroy")
				? new Coding("http://terminology.hl7.org/CodeSystem/iso-21089-lifecycle", "destroy", "Destroy/Delete")
				: new Coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", "Restful Operation"));
		if (!record.subtype().equals("destroy")) {
			event.addSubtype(new Coding("http://hl7.org/fhir/restful-interaction", record.subtype(), null));
		}
		event.setAction(AuditEvent.AuditEventAction.fromCode(record.action().name()));
		event.setRecorded(Date.from(record.recorded()));
		event.setOutcome(AuditEvent.AuditEventOutcome.fromCode(Integer.toString(record.outcome().code())));
		event.setOutcomeDesc(record.outcomeDescription());
		event.addPurposeOfEvent(new CodeableConcept(
				new Coding("http://terminology.hl7.org/CodeSystem/v3-ActReason", record.purposeOfUse(), null)));
		addAgents(event, record);
		event.getSource()
			.setObserver(new Reference().setDisplay("Kansrijke Start gateway"))
			.addType(new Coding("http://terminology.hl7.org/CodeSystem/security-source-type", "4",
					"Application Server"));
		for (String patient : patients) {
			Reference what = new Reference(patient);
			String bsn = bsnById.get(patient.substring(patient.indexOf('/') + 1));
			if (bsn != null) {
				String pseudonym = pseudonymizer.pseudonym(Pseudonymizer.Domain.AUDIT, bsn);
				pseudonyms.add(pseudonym);
				what.setIdentifier(new Identifier().setSystem(Pseudonymizer.NAMING_SYSTEM).setValue(pseudonym));
			}
			event.addEntity()
				.setWhat(what)
				.setType(new Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "1", "Person"))
				.setRole(new Coding("http://terminology.hl7.org/CodeSystem/object-role", "1", "Patient"));
		}
		for (String entity : record.entities()) {
			event.addEntity()
				.setWhat(new Reference(entity))
				.setType(new Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object"))
				.setRole(new Coding("http://terminology.hl7.org/CodeSystem/object-role", "4", "Domain Resource"));
		}
		if (record.query() != null) {
			event.addEntity()
				.setType(new Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object"))
				.setRole(new Coding("http://terminology.hl7.org/CodeSystem/object-role", "24", "Query"))
				.setQuery(record.query().getBytes(StandardCharsets.UTF_8));
		}
		Caller caller = record.caller();
		jdbc.update(
				"insert into audit_event (id, recorded, action, subtype, outcome, client_id, organization, purpose_of_use,"
						+ " patients, patient_pseudonyms, content) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)",
				id, Timestamp.from(record.recorded()), record.action().name(), record.subtype(),
				record.outcome().code(), caller == null ? null : caller.clientId(),
				caller == null ? null : caller.organization().token(), record.purposeOfUse(),
				patients.toArray(String[]::new), pseudonyms.toArray(String[]::new),
				fhirContext.newJsonParser().encodeResourceToString(event));
	}

	/**
	 * Criteria for the administrator's audit search, AND-ed; within a list, OR-ed.
	 * {@code patients} are Patient ids, {@code pseudonyms} audit pseudonyms,
	 * {@code agents} client ids or organisation {@code system|value}.
	 */
	public record Query(List<String> patients, List<String> pseudonyms, java.time.Instant from, java.time.Instant to,
			List<String> agents, int offset, int count) {
	}

	public record Page(int total, List<AuditEvent> events) {
	}

	/** Newest first. */
	public Page search(Query query) {
		StringBuilder where = new StringBuilder(" from audit_event where true");
		List<Object> args = new ArrayList<>();
		if (!query.patients().isEmpty() || !query.pseudonyms().isEmpty()) {
			where.append(" and (patients && ?::text[] or patient_pseudonyms && ?::text[])");
			args.add(query.patients().stream().map(p -> "Patient/" + p).toArray(String[]::new));
			args.add(query.pseudonyms().toArray(String[]::new));
		}
		if (query.from() != null) {
			where.append(" and recorded >= ?");
			args.add(Timestamp.from(query.from()));
		}
		if (query.to() != null) {
			where.append(" and recorded <= ?");
			args.add(Timestamp.from(query.to()));
		}
		if (!query.agents().isEmpty()) {
			where.append(" and (client_id = any(?) or organization = any(?))");
			args.add(query.agents().toArray(String[]::new));
			args.add(query.agents().toArray(String[]::new));
		}
		Integer total = jdbc.queryForObject("select count(*)" + where, Integer.class, args.toArray());
		List<Object> pageArgs = new ArrayList<>(args);
		pageArgs.add(query.count());
		pageArgs.add(query.offset());
		var parser = fhirContext.newJsonParser();
		List<AuditEvent> events = jdbc.query(
				"select content::text" + where + " order by recorded desc, id limit ? offset ?",
				(rs, n) -> parser.parseResource(AuditEvent.class, rs.getString(1)), pageArgs.toArray());
		return new Page(total == null ? 0 : total, events);
	}

	public java.util.Optional<AuditEvent> read(UUID id) {
		return jdbc
			.query("select content::text from audit_event where id = ?",
					(rs, n) -> fhirContext.newJsonParser().parseResource(AuditEvent.class, rs.getString(1)), id)
			.stream()
			.findFirst();
	}

	private static void addAgents(AuditEvent event, AuditRecord record) {
		Caller caller = record.caller();
		if (caller != null) {
			AuditEvent.AuditEventAgentComponent client = event.addAgent()
				.setType(new CodeableConcept(new Coding(DCM, "110153", "Source Role ID")))
				.setWho(new Reference()
					.setIdentifier(new Identifier().setSystem(CLIENT_ID_SYSTEM).setValue(caller.clientId())))
				.setRequestor(false);
			if (record.sourceAddress() != null) {
				client.getNetwork()
					.setAddress(record.sourceAddress())
					.setType(AuditEvent.AuditEventAgentNetworkType._2);
			}
			if (caller.tokenId() != null) {
				client.addPolicy(caller.tokenId());
			}
			boolean retrieves = record.action() == AuditRecord.Action.R || record.action() == AuditRecord.Action.E;
			AuditEvent.AuditEventAgentComponent user = event.addAgent()
				.setType(new CodeableConcept(retrieves
						? new Coding("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "IRCP",
								"information recipient")
						: new Coding("http://terminology.hl7.org/CodeSystem/v3-RoleClass", "AGNT", "agent")))
				.setWho(new Reference().setIdentifier(new Identifier().setSystem(caller.organization().system())
					.setValue(caller.organization().value())))
				.setRequestor(true);
			user.addRole(new CodeableConcept(new Coding("https://kansrijkestart.nl/fhir/CodeSystem/ks-gateway-role",
					caller.role().claim(), null)));
			if (caller.onBehalfOf() != null) {
				user.addExtension(new Extension("http://hl7.org/fhir/StructureDefinition/auditevent-OnBehalfOf",
						new Reference().setDisplay(caller.onBehalfOf())));
			}
		}
		event.addAgent()
			.setType(new CodeableConcept(new Coding(DCM, "110152", "Destination Role ID")))
			.setWho(new Reference().setDisplay("Kansrijke Start gateway"))
			.setRequestor(caller == null);
	}

}
