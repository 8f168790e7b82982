package nl.kansrijkestart.gateway.privacy;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import nl.kansrijkestart.gateway.consent.Purpose;
import nl.kansrijkestart.gateway.support.Consents;
import nl.kansrijkestart.gateway.support.DatabaseState;
import nl.kansrijkestart.gateway.support.ExternalSystems;
import nl.kansrijkestart.gateway.support.Family;
import nl.kansrijkestart.gateway.support.FhirHttp;
import nl.kansrijkestart.gateway.support.GatewayTest;
import nl.kansrijkestart.tools.PregnancyGenerator;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * No BSN or name that reaches the gateway appears in its log (the gateway's own code logs
 * at DEBUG here). The first test sends personal data through every door itself, accepted
 * and refused, and scans what was logged meanwhile; the second scans the whole run's log
 * for every BSN and name the tests of this JVM have sent so far and the profile examples'
 * BSNs, whatever ran before it.
 */
@GatewayTest
class LogScanTest extends ExternalSystems {

	private static final Path RUN_LOG = Path.of(System.getProperty("test.run.log", "target/test-run.log"));

	private static final Pattern EXAMPLE_BSN = Pattern
		.compile("NamingSystem/bsn\"\\s*,\\s*\"value\"\\s*:\\s*\"([0-9]{9})\"");

	private static final Pattern WORD = Pattern.compile("[0-9A-Za-z]+");

	private static final Pattern WORD_BOUNDARY = Pattern.compile("[^0-9A-Za-z]+");

	private static final Pattern KERNSET_BSN = Pattern
		.compile("<id extension=\"([0-9]{9})\" root=\"2\\.16\\.840\\.1\\.113883\\.2\\.4\\.6\\.3\"");

	@LocalServerPort
	int port;

	@Autowired
	JdbcTemplate jdbc;

	@Test
	void personalDataSentThroughEveryDoorStaysOutOfTheLog() throws IOException {
		ListAppender<ILoggingEvent> captured = new ListAppender<>();
		captured.start();
		Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
		root.addAppender(captured);
		Set<String> personal = new HashSet<>();
		try {
			FhirHttp http = new FhirHttp(port);
			PregnancyGenerator.GeneratedPregnancy pregnancy = new PregnancyGenerator(91_000).next();
			// The registry fails for her: the gateway warns, and the warning must not
			// name her
			REGISTRY.stubFor(
					searchFor(pregnancy.truth().motherBsn()).atPriority(1).willReturn(aResponse().withStatus(500)));
			Family family = Family.submit(http, pregnancy, (mother, child) -> List.of(Consents.simple("permit", mother,
					"2023-06-01T10:00:00+02:00", true, Purpose.HANDOVER, Purpose.MONITORING)));
			Patient mother = (Patient) pregnancy.bundle()
				.getEntry()
				.stream()
				.map(Bundle.BundleEntryComponent::getResource)
				.filter(Patient.class::isInstance)
				.findFirst()
				.orElseThrow();
			personal.add(family.motherBsn());
			personal.add(mother.getNameFirstRep().getFamily());
			if (family.childBsn() != null) {
				personal.add(family.childBsn());
			}

			// Refused: a BSN that fails the elfproef, an unreadable birth date (the
			// parser's message quotes values)
			Patient refused = mother.copy();
			refused.setId((String) null);
			refused.getIdentifierFirstRep().setValue("123456789");
			personal.add("123456789");
			assertThat(http.submit("/fhir/Patient", FhirHttp.json(refused)).status()).isEqualTo(422);
			String unreadable = FhirHttp.json(mother.copy().setId((String) null))
				.replace("\"birthDate\":\"", "\"birthDate\":\"Jansen-");
			assertThat(http.submit("/fhir/Patient", unreadable).status()).isBetween(400, 422);

			// Searches by BSN and by name
			http.get("/fhir/Patient?identifier=http://fhir.nl/fhir/NamingSystem/bsn%7C" + family.motherBsn());
			http.get("/fhir/Patient?name=" + mother.getNameFirstRep().getFamily());
			http.as("admin")
				.get("/fhir/AuditEvent?patient:identifier=http://fhir.nl/fhir/NamingSystem/bsn%7C"
						+ family.motherBsn());

			// STU3, accepted and then refused as a transaction of the wrong version
			String stu3 = resource("stu3/wouden-zwanger3.xml");
			http.post("/fhir/stu3", stu3, "application/fhir+xml; fhirVersion=3.0");
			http.post("/fhir/stu3", stu3.replace("<value value=\"9", "<value value=\"x9"),
					"application/fhir+xml; fhirVersion=3.0");

			// The kernset, accepted and then refused (a second sender may not send it)
			String kernset = resource("kernset/scenario1-23.xml");
			Matcher m = KERNSET_BSN.matcher(kernset);
			while (m.find()) {
				personal.add(m.group(1));
			}
			FhirHttp vsvB = http.as("vsv-b");
			vsvB.post("/inbound/kernset", kernset, "application/xml");
			vsvB.as("jgz-a").post("/inbound/kernset", kernset, "application/xml");
			vsvB.post("/inbound/kernset", kernset.replace("</ClinicalDocument>", "<broken>"), "application/xml");
			DatabaseState.awaitBackgroundWork(jdbc);
		}
		finally {
			root.detachAppender(captured);
		}
		personal.addAll(FhirHttp.SENT_PERSONAL_DATA);
		StringBuilder log = new StringBuilder();
		for (ILoggingEvent event : captured.list) {
			log.append(event.getLoggerName())
				.append(' ')
				.append(event.getFormattedMessage())
				.append(' ')
				.append(event.getMDCPropertyMap());
			if (event.getThrowableProxy() != null) {
				log.append(' ').append(ThrowableProxyUtil.asString(event.getThrowableProxy()));
			}
			log.append('\n');
		}
		assertThat(captured.list).as("the gateway warned of the failing registry")
			.anyMatch(e -> e.getLoggerName().startsWith("nl.kansrijkestart")
					&& e.getFormattedMessage().contains("Consent registry lookup failed"));
		assertThat(leaks(log.toString(), personal)).isEmpty();
	}

	@Test
	void theRunsLogHoldsNoBsnOrNameSentSoFar() throws IOException {
		Set<String> personal = new HashSet<>(FhirHttp.SENT_PERSONAL_DATA);
		personal.addAll(exampleBsns());
		assertThat(RUN_LOG).exists();
		assertThat(leaks(Files.readString(RUN_LOG, StandardCharsets.UTF_8), personal)).isEmpty();
	}

	@Test
	void theScanFindsAPlantedBsnAndName(@TempDir Path dir) throws IOException {
		Path log = dir.resolve("planted.log");
		Files.writeString(log,
				"INFO rejected Patient with identifier 999999990 of Jansen-Bakker\nINFO 1999999990 is no BSN");
		assertThat(leaks(Files.readString(log), Set.of("999999990", "Jansen-Bakker", "Visser")))
			.containsExactlyInAnyOrder("999999990", "Jansen-Bakker");
	}

	/**
	 * Values found in the log as whole words (a BSN inside a longer number is not one). A
	 * value of letters and digits only is looked up among the log's words, split once;
	 * others (a hyphenated name) are searched for one by one.
	 */
	static List<String> leaks(String log, Set<String> values) {
		Set<String> words = new HashSet<>(Arrays.asList(WORD_BOUNDARY.split(log)));
		List<String> found = new ArrayList<>();
		for (String value : values) {
			boolean leaked = WORD.matcher(value).matches() ? words.contains(value)
					: Pattern.compile("(?<![0-9A-Za-z])" + Pattern.quote(value) + "(?![0-9A-Za-z])")
						.matcher(log)
						.find();
			if (leaked) {
				found.add(value);
			}
		}
		return found;
	}

	private static String resource(String path) throws IOException {
		return new String(new ClassPathResource(path).getInputStream().readAllBytes(), StandardCharsets.UTF_8);
	}

	private static Set<String> exampleBsns() throws IOException {
		Set<String> bsns = new HashSet<>();
		try (Stream<Path> files = Files.walk(Path.of("../profiles/examples"))) {
			for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
				Matcher m = EXAMPLE_BSN.matcher(Files.readString(file));
				while (m.find()) {
					bsns.add(m.group(1));
				}
			}
		}
		assertThat(bsns).isNotEmpty();
		return bsns;
	}

}
