package nl.kansrijkestart.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import nl.kansrijkestart.gateway.privacy.Pseudonymizer;
import nl.kansrijkestart.gateway.support.CleanDatabaseConfiguration.OwnerJdbc;
import nl.kansrijkestart.gateway.support.DatabaseState;
import nl.kansrijkestart.gateway.support.FhirHttp;
import nl.kansrijkestart.gateway.support.GatewayTest;
import nl.kansrijkestart.tools.PregnancyGenerator;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What the NEN 7513 trail holds for reads, searches and writes, how an administrator
 * finds it, and that it cannot change.
 */
@GatewayTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditTrailTest {

	private static final String BSN = "http://fhir.nl/fhir/NamingSystem/bsn|";

	@LocalServerPort
	int port;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	OwnerJdbc owner;

	@Autowired
	Pseudonymizer pseudonymizer;

	FhirHttp http;

	FhirHttp admin;

	PregnancyGenerator.GeneratedPregnancy pregnancy;

	String motherId;

	@BeforeAll
	void load() {
		http = new FhirHttp(port);
		admin = http.as("admin");
		pregnancy = new PregnancyGenerator(7001).next();
		FhirHttp.Response r = http.submit("/fhir", FhirHttp.json(pregnancy.bundle()));
		assertThat(r.status()).isEqualTo(200);
		motherId = r.as(Bundle.class).getEntry().get(1).getResponse().getLocation().split("/")[1];
	}

	private AuditEvent latest(String clientId) {
		Bundle found = admin.get("/fhir/AuditEvent?agent=" + clientId + "&_count=1").as(Bundle.class);
		return (AuditEvent) found.getEntryFirstRep().getResource();
	}

	private String pseudonym() {
		return pseudonymizer.pseudonym(Pseudonymizer.Domain.AUDIT, pregnancy.truth().motherBsn());
	}

	@Test
	void aReadRecordsWhoWhatWhomWhenWhyAndTheOutcome() {
		http.get("/fhir/Patient/" + motherId);
		AuditEvent event = latest("vsv-a");
		assertThat(event.getAction()).isEqualTo(AuditEvent.AuditEventAction.R);
		assertThat(event.getSubtypeFirstRep().getCode()).isEqualTo("read");
		assertThat(event.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._0);
		assertThat(event.getRecorded()).isNotNull();
		assertThat(event.getPurposeOfEventFirstRep().getCodingFirstRep().getCode()).isEqualTo("TREAT");
		assertThat(event.getAgent())
			.anySatisfy(a -> assertThat(a.getWho().getIdentifier().getValue()).isEqualTo("vsv-a"));
		assertThat(event.getAgent()).anySatisfy(a -> {
			assertThat(a.getWho().getIdentifier().getValue()).isEqualTo("90363101");
			assertThat(a.getRequestor()).isTrue();
		});
		assertThat(event.getEntity()).anySatisfy(e -> {
			assertThat(e.getRole().getCode()).isEqualTo("1");
			assertThat(e.getWhat().getReference()).isEqualTo("Patient/" + motherId);
			assertThat(e.getWhat().getIdentifier().getValue()).isEqualTo(pseudonym());
		});
		assertThat(FhirHttp.json(event)).doesNotContain(pregnancy.truth().motherBsn());
	}

	@Test
	void aSearchKeepsItsQueryWithoutTheBsn() {
		http.get("/fhir/Patient?identifier=" + BSN + pregnancy.truth().motherBsn());
		AuditEvent event = latest("vsv-a");
		assertThat(event.getAction()).isEqualTo(AuditEvent.AuditEventAction.E);
		assertThat(event.getSubtypeFirstRep().getCode()).isEqualTo("search-type");
		String query = event.getEntity()
			.stream()
			.filter(e -> e.hasQuery())
			.map(e -> new String(e.getQuery(), StandardCharsets.UTF_8))
			.findFirst()
			.orElseThrow();
		assertThat(query).startsWith("Patient?identifier=pseudonym%3A" + pseudonym())
			.doesNotContain(pregnancy.truth().motherBsn());
		assertThat(event.getEntity())
			.anySatisfy(e -> assertThat(e.getWhat().getReference()).isEqualTo("Patient/" + motherId));
	}

	@Test
	void aTransactionRecordsEveryPersonItWrote() {
		PregnancyGenerator.GeneratedPregnancy another = new PregnancyGenerator(7002).next();
		FhirHttp.Response r = http.submit("/fhir", FhirHttp.json(another.bundle()));
		Bundle response = r.as(Bundle.class);
		AuditEvent event = latest("vsv-a");
		// C when every entry was created; the VSV's organisation may exist already (other
		// pregnancies of that VSV)
		boolean allCreated = response.getEntry().stream().allMatch(e -> e.getResponse().getStatus().startsWith("201"));
		assertThat(event.getAction())
			.isEqualTo(allCreated ? AuditEvent.AuditEventAction.C : AuditEvent.AuditEventAction.U);
		assertThat(event.getSubtypeFirstRep().getCode()).isEqualTo("transaction");
		long patientsWritten = response.getEntry()
			.stream()
			.filter(e -> e.getResponse().getLocation().startsWith("Patient/"))
			.count();
		assertThat(event.getEntity().stream().filter(e -> e.getRole().getCode().equals("1")).count())
			.isEqualTo(patientsWritten);
		assertThat(event.getEntity().stream().filter(e -> e.getRole().getCode().equals("4")).count())
			.isEqualTo(response.getEntry().size());
	}

	@Test
	void theAdministratorFindsAccessesByPatientBsnAgentAndDate() {
		http.get("/fhir/Patient/" + motherId);
		http.as("vsv-b").get("/fhir/Patient/" + motherId);
		List<AuditEvent> byPatient = events("/fhir/AuditEvent?patient=Patient/" + motherId + "&_count=500");
		List<AuditEvent> byBsn = events(
				"/fhir/AuditEvent?patient:identifier=" + BSN + pregnancy.truth().motherBsn() + "&_count=500");
		assertThat(byPatient).isNotEmpty();
		assertThat(byBsn).extracting(AuditEvent::getId).containsAll(byPatient.stream().map(AuditEvent::getId).toList());
		assertThat(events("/fhir/AuditEvent?agent=vsv-b&date=ge2020-01-01&_count=500"))
			.allSatisfy(e -> assertThat(FhirHttp.json(e)).contains("vsv-b"))
			.anySatisfy(e -> assertThat(e.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._4));
		assertThat(events("/fhir/AuditEvent?agent=vsv-b&date=lt2020-01-01")).isEmpty();
		// The administrator's own search of the trail is recorded too, without the BSN it
		// was given.
		AuditEvent own = latest("admin");
		assertThat(own.getSubtypeFirstRep().getCode()).isEqualTo("search-type");
		assertThat(jdbc.queryForObject("select count(*) from audit_event where content::text like ?", Long.class,
				"%" + pregnancy.truth().motherBsn() + "%"))
			.isZero();
	}

	private List<AuditEvent> events(String path) {
		FhirHttp.Response r = admin.get(path);
		assertThat(r.status()).as(r.body()).isEqualTo(200);
		return r.as(Bundle.class).getEntry().stream().map(e -> (AuditEvent) e.getResource()).toList();
	}

	@Test
	void theTrailCannotBeChangedOrDeletedInTheDatabase() {
		http.get("/fhir/Patient/" + motherId);
		String before = jdbc
			.queryForObject("select count(*) || ':' || md5(string_agg(id::text || content::text, ',' order by id))"
					+ " from audit_event", String.class);
		// The owner is stopped by the trigger, the gateway's own role already by its
		// privileges.
		for (JdbcTemplate role : List.of(owner.jdbc(), jdbc)) {
			String refusal = role == jdbc ? "permission denied" : "append-only";
			assertThatThrownBy(() -> role.update("update audit_event set outcome = 0"))
				.isInstanceOf(DataAccessException.class)
				.hasStackTraceContaining(refusal);
			assertThatThrownBy(() -> role.update("delete from audit_event")).isInstanceOf(DataAccessException.class)
				.hasStackTraceContaining(refusal);
			assertThatThrownBy(() -> role.execute("truncate audit_event")).isInstanceOf(DataAccessException.class)
				.hasStackTraceContaining(refusal);
		}
		assertThat(jdbc
			.queryForObject("select count(*) || ':' || md5(string_agg(id::text || content::text, ',' order by id))"
					+ " from audit_event", String.class))
			.isEqualTo(before);
	}

	/**
	 * The routes around the trigger that a superuser or the owner has: the role the
	 * gateway serves as has none.
	 */
	@Test
	void theGatewaysDatabaseRoleCannotGetAroundTheTrigger() {
		assertThat(jdbc.queryForObject(
				"select rolsuper or rolcreaterole or rolbypassrls from pg_roles where rolname = current_user",
				Boolean.class))
			.isFalse();
		assertThat(jdbc.queryForObject("select count(*) from pg_class where relowner = (select oid from pg_roles"
				+ " where rolname = current_user)", Long.class))
			.as("relations the gateway's role owns")
			.isZero();
		String before = jdbc
			.queryForObject("select count(*) || ':' || md5(string_agg(id::text || content::text, ',' order by id))"
					+ " from audit_event", String.class);
		String ownerName = owner.jdbc().queryForObject("select current_user", String.class);
		List<String> routes = List.of("set session_replication_role = replica",
				"alter table audit_event disable trigger all",
				"alter table audit_event disable trigger audit_event_no_update_or_delete",
				"drop trigger audit_event_no_update_or_delete on audit_event",
				"create or replace function append_only() returns trigger language plpgsql as $$ begin return old; end; $$",
				"alter table audit_event owner to current_user", "alter table audit_event rename to audit_event_old",
				"create table audit_event_forged (like audit_event)", "set role " + ownerName,
				"alter role current_user superuser", "drop table audit_event");
		for (String route : routes) {
			assertThatThrownBy(() -> jdbc.execute(route)).as(route)
				.isInstanceOf(DataAccessException.class)
				.rootCause()
				.hasMessageMatching("(?s).*(permission denied|must be owner|must be superuser).*");
		}
		// A grant to itself is no error, only a warning, and grants nothing.
		jdbc.execute("grant update, delete, truncate on audit_event to current_user");
		assertThat(jdbc
			.queryForObject("select has_table_privilege('audit_event', 'update') or has_table_privilege('audit_event',"
					+ " 'delete') or has_table_privilege('audit_event', 'truncate')", Boolean.class))
			.isFalse();
		assertThat(jdbc
			.queryForObject("select count(*) || ':' || md5(string_agg(id::text || content::text, ',' order by id))"
					+ " from audit_event", String.class))
			.isEqualTo(before);
	}

	@Test
	void whenTheAuditRecordCannotBeWrittenTheActionFails() {
		owner.jdbc()
			.execute("create function refuse_vsv_b() returns trigger language plpgsql as $$ begin"
					+ " if new.client_id = 'vsv-b' then raise exception 'audit store unavailable'; end if; return new; end; $$");
		owner.jdbc()
			.execute(
					"create trigger refuse_vsv_b before insert on audit_event for each row execute function refuse_vsv_b()");
		try {
			FhirHttp b = http.as("vsv-b");
			PregnancyGenerator.GeneratedPregnancy refused = new PregnancyGenerator(7003).next();
			DatabaseState before = DatabaseState.of(jdbc);
			FhirHttp.Response write = b.submit("/fhir", FhirHttp.json(refused.bundle()));
			assertThat(write.status()).isEqualTo(500);
			assertThat(DatabaseState.of(jdbc)).isEqualTo(before);

			FhirHttp.Response search = b.get("/fhir/Provenance?_count=5");
			assertThat(search.status()).isEqualTo(500);
			assertThat(search.body()).contains("OperationOutcome").doesNotContain("\"Provenance\"");
		}
		finally {
			owner.jdbc().execute("drop trigger refuse_vsv_b on audit_event");
			owner.jdbc().execute("drop function refuse_vsv_b()");
		}
		assertThat(http.as("vsv-b").get("/fhir/Provenance?_count=5").status()).isEqualTo(200);
	}

}
