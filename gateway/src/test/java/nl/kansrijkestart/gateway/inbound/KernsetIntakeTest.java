package nl.kansrijkestart.gateway.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import nl.kansrijkestart.gateway.support.DatabaseState;
import nl.kansrijkestart.gateway.support.ExternalSystems;
import nl.kansrijkestart.gateway.support.FhirHttp;
import nl.kansrijkestart.gateway.support.GatewayTest;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Provenance;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Nictiz's PWD 2.3 kernset test messages through both channels, HTTP
 * ({@code POST /inbound/kernset}) and the intake directory: stored once per message id,
 * with a Provenance naming the message and maps; a failure stores nothing but a dead
 * letter, which an administrator lists, reads and replays once the cause is fixed.
 */
@GatewayTest
class KernsetIntakeTest extends ExternalSystems {

	private static final String XML = "application/xml";

	private static final String SCENARIO1_MOTHER = "999910413";

	private static final String SCENARIO2_MOTHER = "961921821";

	@LocalServerPort
	int port;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	InboundProperties inbound;

	FhirHttp vsvB;

	FhirHttp admin;

	@BeforeEach
	void setUp() {
		vsvB = new FhirHttp(port).as("vsv-b");
		admin = vsvB.as("admin");
	}

	/**
	 * A Nictiz message with its own id (they all carry the placeholder 2BGeneratedID).
	 */
	static String message(String name, String id) throws IOException {
		return Files.readString(KernsetTranslationTest.DIR.resolve(name + ".xml"))
			.replace("<id extension=\"2BGeneratedID\" root=\"1.2.3.999\"/>",
					"<id extension=\"" + id + "\" root=\"1.2.3.999\"/>");
	}

	/**
	 * The woman as the EHR registers her (R4, ks-mother): the kernset itself has no name
	 * or municipality of her.
	 */
	private void register(String bsn) {
		Patient mother = new Patient();
		mother.getMeta().addProfile("https://kansrijkestart.nl/fhir/StructureDefinition/ks-mother");
		mother.addIdentifier().setSystem(BSN_SYSTEM).setValue(bsn);
		mother.addName().setFamily("Vlasblom").addGiven("Geertruida");
		mother.setBirthDateElement(new org.hl7.fhir.r4.model.DateType("1983-01-01"));
		Address address = mother.addAddress().setPostalCode("1016 GV").setCountry("NL");
		address.addExtension("https://kansrijkestart.nl/fhir/StructureDefinition/ks-ext-municipality", new Coding(
				"https://kansrijkestart.nl/fhir/NamingSystem/cbs-gemeentecode", PULL_MUNICIPALITY, "Amsterdam"));
		FhirHttp.Response r = vsvB.put("/fhir/Patient?identifier=" + BSN_SYSTEM + "|" + bsn, FhirHttp.json(mother),
				FhirHttp.JSON);
		assertThat(r.status()).as(r.body()).isIn(200, 201);
	}

	private static OperationOutcome outcome(FhirHttp.Response r, int status) {
		assertThat(r.status()).as(r.body()).isEqualTo(status);
		assertThat(r.header("Content-Type")).startsWith("application/fhir+json");
		return r.outcome();
	}

	private long deadLetters(String messageId) {
		return jdbc.queryForObject("select count(*) from inbound_dead_letter where message_id = ?", Long.class,
				"1.2.3.999|" + messageId);
	}

	@Test
	void overHttpAMessageIsStoredOnceWithItsProvenance() throws IOException {
		register(SCENARIO1_MOTHER);
		String id = "s1-" + UUID.randomUUID();
		String body = message("scenario1-23", id);
		OperationOutcome first = outcome(vsvB.post("/inbound/kernset", body, XML), 200);
		assertThat(first.getIssueFirstRep().getDiagnostics())
			.contains("Message 1.2.3.999|" + id + ": 12 resources written");

		Bundle children = vsvB.get("/fhir/Patient?identifier=" + BSN_SYSTEM + "|999910383").as(Bundle.class);
		Patient child = (Patient) children.getEntryFirstRep().getResource();
		assertThat(child.getMeta().getProfile().get(0).getValue()).endsWith("ks-child");
		assertThat(child.getBirthDateElement().getValueAsString()).isEqualTo("2019-10-08");
		Provenance provenance = (Provenance) vsvB.get("/fhir/Provenance?target=Patient/" + child.getIdPart())
			.as(Bundle.class)
			.getEntryFirstRep()
			.getResource();
		assertThat(provenance.getEntityFirstRep().getWhat().getDisplay())
			.isEqualTo("HL7v3 kernset (PWD 2.3, REPC_IN004014NL), message 1.2.3.999|" + id);
		assertThat(provenance.getPolicy()).extracting(p -> p.getValue())
			.contains("https://kansrijkestart.nl/fhir/mappings/inbound/kernset.csv|1.0.0");

		// the resend is a no-op; the same id for other content is a conflict, and
		// dead-lettered
		DatabaseState before = DatabaseState.of(jdbc);
		assertThat(outcome(vsvB.post("/inbound/kernset", body, XML), 200).getIssueFirstRep().getDiagnostics())
			.contains("was processed before: nothing changed");
		outcome(vsvB.post("/inbound/kernset", body.replace("3450", "3460"), XML), 409);
		assertThat(DatabaseState.of(jdbc)).isEqualTo(before);
		assertThat(deadLetters(id)).isEqualTo(1);

		// the second Nictiz message (a pregnancy, no birth yet) too
		register(SCENARIO2_MOTHER);
		String second = "s2-" + UUID.randomUUID();
		assertThat(outcome(vsvB.post("/inbound/kernset", message("scenario2_1elijn-23", second), XML), 200)
			.getIssueFirstRep()
			.getDiagnostics()).contains(": 8 resources written");

		// the birth weight as it went in, in the indicator facts
		DatabaseState.awaitBackgroundWork(jdbc);
		assertThat(jdbc.queryForList("select weight_g from monitoring_birth where month = date '2019-10-01'",
				Integer.class))
			.contains(3450);
	}

	@Test
	void fromTheDirectoryFilesAreProcessedOrFailedWithAReason() throws IOException {
		register(SCENARIO1_MOTHER);
		register(SCENARIO2_MOTHER);
		Path directory = inbound.directory();
		String id = "s2-" + UUID.randomUUID();
		String first = "s1-" + UUID.randomUUID();
		drop(directory, "scenario1.xml", message("scenario1-23", first));
		drop(directory, "scenario2.xml", message("scenario2_1elijn-23", id));
		drop(directory, "broken.xml",
				"<REPC_IN004014NL xmlns=\"urn:hl7-org:v3\"><id extension=\"x\" root=\"1.2.3.999\"/>");
		await().atMost(Duration.ofSeconds(20))
			.until(() -> Files.exists(directory.resolve("processed/scenario2.xml"))
					&& Files.exists(directory.resolve("processed/scenario1.xml"))
					&& Files.exists(directory.resolve("failed/broken.xml.reason.txt")));
		assertThat(jdbc.queryForObject(
				"select resources from inbound_message where message_id = ? and channel = 'directory'", Integer.class,
				"1.2.3.999|" + id))
			.isEqualTo(8);
		assertThat(jdbc.queryForObject(
				"select resources from inbound_message where message_id = ? and channel = 'directory'", Integer.class,
				"1.2.3.999|" + first))
			.isEqualTo(12);
		assertThat(Files.readString(directory.resolve("failed/broken.xml.reason.txt"))).contains("Status 400")
			.contains("not well-formed");
		assertThat(jdbc.queryForObject("select count(*) from inbound_dead_letter where file_name = 'broken.xml'",
				Long.class))
			.isEqualTo(1);
		assertThat(Files.exists(directory.resolve("broken.xml"))).isFalse();
	}

	/**
	 * As a file transfer does it: written under another name, then renamed, so no half
	 * file is read.
	 */
	private static void drop(Path directory, String name, String content) throws IOException {
		Path temp = directory.resolve(name + ".part");
		Files.writeString(temp, content, StandardCharsets.UTF_8);
		Files.move(temp, directory.resolve(name));
	}

	@Test
	void aDeadLetterIsListedReadAndReplayedOnceTheCauseIsFixed() throws IOException {
		String unknownMother = "999911028";
		String id = "dl-" + UUID.randomUUID();
		String body = message("scenario1-23", id).replace(SCENARIO1_MOTHER, unknownMother)
			.replace("999910383", "999911041");
		DatabaseState before = DatabaseState.of(jdbc);
		OperationOutcome refused = outcome(vsvB.post("/inbound/kernset", body, XML), 422);
		assertThat(refused.getIssue()).filteredOn(i -> i.getSeverity() == OperationOutcome.IssueSeverity.ERROR)
			.anySatisfy(i -> {
				assertThat(i.getExpression().get(0).getValue()).endsWith("/CareProvisionEvent[1].patient");
				assertThat(i.getDiagnostics()).contains("matches no Patient of your organisation")
					.doesNotContain(unknownMother);
			});
		assertThat(DatabaseState.of(jdbc)).isEqualTo(before);

		FhirHttp.Response list = admin.get("/inbound/dead-letters");
		assertThat(list.status()).as(list.body()).isEqualTo(200);
		List<Map<String, Object>> letters = new com.fasterxml.jackson.databind.ObjectMapper().readValue(list.body(),
				new com.fasterxml.jackson.core.type.TypeReference<>() {
				});
		Map<String, Object> letter = letters.stream()
			.filter(l -> ("1.2.3.999|" + id).equals(l.get("messageId")))
			.findFirst()
			.orElseThrow();
		assertThat(letter).containsEntry("status", 422).containsEntry("channel", "http").doesNotContainKey("body");
		String letterId = (String) letter.get("id");
		assertThat(admin.get("/inbound/dead-letters/" + letterId + "/message").body()).isEqualTo(body);
		assertThat(vsvB.get("/inbound/dead-letters").status()).isEqualTo(403);
		assertThat(vsvB.post("/inbound/dead-letters/" + letterId + "/$replay", "", XML).status()).isEqualTo(403);

		register(unknownMother);
		OperationOutcome replayed = outcome(admin.post("/inbound/dead-letters/" + letterId + "/$replay", "", XML), 200);
		assertThat(replayed.getIssueFirstRep().getDiagnostics()).contains("resources written");
		assertThat(admin.get("/inbound/dead-letters").body()).doesNotContain(letterId);
		outcome(admin.post("/inbound/dead-letters/" + letterId + "/$replay", "", XML), 409);
		assertThat(jdbc.queryForObject("select body is null from inbound_dead_letter where id = ?::uuid", Boolean.class,
				letterId))
			.isTrue();
		assertThat(jdbc
			.queryForObject("select count(*) from audit_event where subtype in ('dead-letter-list', 'dead-letter-read',"
					+ " 'dead-letter-replay')", Long.class))
			.isGreaterThanOrEqualTo(3);
	}

	@Autowired
	DeadLetters letters;

	@Test
	void aDeadLettersMessageIsRemovedAfterTheRetentionItsReasonStays() {
		UUID old = letters.add("http", "http://fhir.nl/fhir/NamingSystem/ura|90599101", "vsv-b", "1.2.3.999|old", null,
				422, "reason", "<REPC_IN004014NL xmlns=\"urn:hl7-org:v3\"/>".getBytes(StandardCharsets.UTF_8));
		UUID recent = letters.add("http", "http://fhir.nl/fhir/NamingSystem/ura|90599101", "vsv-b", "1.2.3.999|recent",
				null, 422, "reason", "<REPC_IN004014NL xmlns=\"urn:hl7-org:v3\"/>".getBytes(StandardCharsets.UTF_8));
		jdbc.update("update inbound_dead_letter set received_at = now() - interval '31 days' where id = ?", old);
		assertThat(letters.expireBodies()).isGreaterThanOrEqualTo(1);
		assertThat(letters.withBody(old).orElseThrow().body()).isNull();
		assertThat(letters.withBody(old).orElseThrow().reason()).isEqualTo("reason");
		assertThat(letters.withBody(recent).orElseThrow().body()).isNotNull();
	}

	@Test
	void refusalsStoreNothing() throws IOException {
		String id = "bad-" + UUID.randomUUID();
		String body = message("scenario1-23", id);
		DatabaseState before = DatabaseState.of(jdbc);
		// who may not submit gets no dead letter: nothing of theirs is kept. A JGZ system
		// is stopped at the door; a
		// birth-care system without the transaction scope by the intake, which records
		// the refusal
		outcome(vsvB.as("jgz-a").post("/inbound/kernset", body, XML), 403);
		long refusedBefore = jdbc
			.queryForObject("select count(*) from audit_event where subtype = 'kernset' and outcome = 4"
					+ " and client_id = 'vsv-narrow'", Long.class);
		outcome(vsvB.as("vsv-narrow").post("/inbound/kernset", body, XML), 403);
		assertThat(jdbc.queryForObject("select count(*) from audit_event where subtype = 'kernset' and outcome = 4"
				+ " and client_id = 'vsv-narrow'", Long.class))
			.isEqualTo(refusedBefore + 1);
		assertThat(vsvB.as(null).post("/inbound/kernset", body, XML).status()).isEqualTo(401);
		assertThat(deadLetters(id)).isZero();
		outcome(vsvB.post("/inbound/kernset", body, "text/plain"), 415);
		outcome(vsvB.post("/inbound/kernset", body, FhirHttp.JSON), 400);
		// a BSN failing the elfproef, named at its place in the message
		OperationOutcome elfproef = outcome(
				vsvB.post("/inbound/kernset", body.replace(SCENARIO1_MOTHER, "999910414"), XML), 422);
		assertThat(elfproef.getIssueFirstRep().getExpression().get(0).getValue())
			.endsWith("/CareProvisionEvent[1]/subject[1]/patient[1]/id[1]/@extension");
		assertThat(deadLetters(id)).isEqualTo(1);
		// an answer without ks- equivalent (Rookgedrag 3 is not in the ConceptMap): named
		// at its place, not guessed
		OperationOutcome unmapped = outcome(vsvB.post("/inbound/kernset",
				body.replaceFirst("code=\"1\"(\\s+)codeSystem=\"2.16.840.1.113883.2.4.4.13.58\"",
						"code=\"3\"$1codeSystem=\"2.16.840.1.113883.2.4.4.13.58\""),
				XML), 422);
		assertThat(unmapped.getIssueFirstRep().getDiagnostics()).contains("has no ks- equivalent");
		assertThat(unmapped.getIssueFirstRep().getExpression().get(0).getValue())
			.endsWith("/observation[1].valueCodeableConcept");
		outcome(vsvB.post("/inbound/kernset",
				"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
						+ "<REPC_IN004014NL xmlns=\"urn:hl7-org:v3\">&e;</REPC_IN004014NL>",
				XML), 400);
		outcome(vsvB.post("/inbound/kernset", "<Bundle xmlns=\"http://hl7.org/fhir\"/>", XML), 400);
		assertThat(DatabaseState.of(jdbc)).isEqualTo(before);
	}

}
