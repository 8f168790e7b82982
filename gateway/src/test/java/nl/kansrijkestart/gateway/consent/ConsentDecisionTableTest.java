package nl.kansrijkestart.gateway.consent;

import static nl.kansrijkestart.gateway.consent.Purpose.HANDOVER;
import static nl.kansrijkestart.gateway.consent.Purpose.MONITORING;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import nl.kansrijkestart.gateway.support.ExternalSystems;
import nl.kansrijkestart.gateway.support.Consents;
import nl.kansrijkestart.gateway.support.Family;
import nl.kansrijkestart.gateway.support.FhirHttp;
import nl.kansrijkestart.gateway.support.GatewayTest;
import nl.kansrijkestart.tools.PregnancyGenerator;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The consent rules of docs/consent.md, case by case, end to end: each history is
 * recorded through the FHIR API (and the registry, played by WireMock), then
 * {@code $consent-decision} is asked and its outcome, ground, basis and reason checked.
 */
@GatewayTest
class ConsentDecisionTableTest extends ExternalSystems {

	private static final String JGZ_A = "http://fhir.nl/fhir/NamingSystem/ura|90000363";

	private static final String JGZ_B = "http://fhir.nl/fhir/NamingSystem/ura|90000599";

	private static final String AT = "2025-01-15T12:00:00+01:00";

	enum Whom {

		MOTHER, CHILD

	}

	/** One consent of a history. */
	record Given(String name, boolean registry, Whom about, String status, String dateTime, boolean permit,
			List<Purpose> purposes, List<String> actors, String start, String end) {

		Given status(String s) {
			return new Given(name, registry, about, s, dateTime, permit, purposes, actors, start, end);
		}

		Given actor(String a) {
			return new Given(name, registry, about, status, dateTime, permit, purposes, List.of(a), start, end);
		}

		Given period(String s, String e) {
			return new Given(name, registry, about, status, dateTime, permit, purposes, actors, s, e);
		}

		Given inRegistry() {
			return new Given(name, true, about, status, dateTime, permit, purposes, actors, start, end);
		}

		Given aboutChild() {
			return new Given(name, registry, Whom.CHILD, status, dateTime, permit, purposes, actors, start, end);
		}

		Consent toConsent(Reference patient) {
			return Consents.consent(name, patient, status, dateTime, permit, purposes, actors, start, end);
		}
	}

	static Given permit(String name, String dateTime, Purpose... purposes) {
		return new Given(name, false, Whom.MOTHER, "active", dateTime, true, List.of(purposes), List.of(), null, null);
	}

	static Given deny(String name, String dateTime, Purpose... purposes) {
		return new Given(name, false, Whom.MOTHER, "active", dateTime, false, List.of(purposes), List.of(), null, null);
	}

	/**
	 * A question and its expected answer: outcome, ground, the consents it rests on,
	 * words the reason must contain.
	 */
	record Case(String name, Whom subject, Purpose purpose, String actor, String outcome, String ground,
			List<String> basis, String reason, List<Given> history) {
	}

	static Case ask(String name, Purpose purpose, String actor, String outcome, String ground, List<String> basis,
			String reason, Given... history) {
		return new Case(name, Whom.MOTHER, purpose, actor, outcome, ground, basis, reason, List.of(history));
	}

	static Case askAboutChild(String name, Purpose purpose, String outcome, String ground, List<String> basis,
			String reason, Given... history) {
		return new Case(name, Whom.CHILD, purpose, null, outcome, ground, basis, reason, List.of(history));
	}

	static final List<Case> CASES = List.of(
			ask("nothing recorded: handover needs a permit", HANDOVER, JGZ_A, "deny", "no-permit", List.of(), "opt-in"),
			ask("nothing recorded: monitoring is opt-in by default", MONITORING, null, "deny", "no-permit", List.of(),
					"opt-in"),
			ask("a permit", HANDOVER, JGZ_A, "permit", "latest-permit", List.of("p"), "permits",
					permit("p", "2024-03-01T10:00:00+01:00", HANDOVER)),
			ask("a deny", HANDOVER, JGZ_A, "deny", "latest-deny", List.of("d"), "denies",
					deny("d", "2024-03-01T10:00:00+01:00", HANDOVER)),
			ask("a permit, later withdrawn by a deny", HANDOVER, JGZ_A, "deny", "latest-deny", List.of("d"), "denies",
					permit("p", "2024-03-01T10:00:00+01:00", HANDOVER),
					deny("d", "2024-06-01T10:00:00+02:00", HANDOVER)),
			ask("a deny, later replaced by a permit", HANDOVER, JGZ_A, "permit", "latest-permit", List.of("p"),
					"permits", deny("d", "2024-03-01T10:00:00+01:00", HANDOVER),
					permit("p", "2024-06-01T10:00:00+02:00", HANDOVER)),
			ask("permit and deny at the same moment: deny wins", HANDOVER, JGZ_A, "deny", "deny-wins-tie",
					List.of("p", "d"), "deny wins", permit("p", "2024-03-01T10:00:00+01:00", HANDOVER),
					deny("d", "2024-03-01T10:00:00+01:00", HANDOVER)),
			ask("a permit set inactive (withdrawn)", HANDOVER, JGZ_A, "deny", "no-permit", List.of(), "1 inactive",
					permit("p", "2024-03-01T10:00:00+01:00", HANDOVER).status("inactive")),
			ask("a later deny entered in error leaves the permit", HANDOVER, JGZ_A, "permit", "latest-permit",
					List.of("p"), "1 entered in error", permit("p", "2024-03-01T10:00:00+01:00", HANDOVER),
					deny("d", "2024-06-01T10:00:00+02:00", HANDOVER).status("entered-in-error")),
			ask("a permit whose period has ended", HANDOVER, JGZ_A, "deny", "no-permit", List.of(), "period",
					permit("p", "2024-03-01T10:00:00+01:00", HANDOVER).period("2024-03-01", "2024-12-31")),
			ask("a permit whose period has not started", HANDOVER, JGZ_A, "deny", "no-permit", List.of(), "period",
					permit("p", "2024-03-01T10:00:00+01:00", HANDOVER).period("2025-02-01", null)),
			ask("a permit whose period covers the moment", HANDOVER, JGZ_A, "permit", "latest-permit", List.of("p"),
					"permits", permit("p", "2024-03-01T10:00:00+01:00", HANDOVER).period("2024-03-01", "2025-01-15")),
			ask("a consent recorded after the moment asked about", HANDOVER, JGZ_A, "deny", "no-permit", List.of(),
					"after the moment", permit("p", "2025-02-01T10:00:00+01:00", HANDOVER)),
			ask("a permit for this JGZ organisation", HANDOVER, JGZ_A, "permit", "latest-permit", List.of("p"),
					"permits", permit("p", "2024-03-01T10:00:00+01:00", HANDOVER).actor(JGZ_A)),
			ask("a permit for another JGZ organisation", HANDOVER, JGZ_B, "deny", "no-permit", List.of(),
					"another recipient", permit("p", "2024-03-01T10:00:00+01:00", HANDOVER).actor(JGZ_A)),
			ask("a general permit, a later deny for another organisation", HANDOVER, JGZ_B, "permit", "latest-permit",
					List.of("p"), "another recipient", permit("p", "2024-03-01T10:00:00+01:00", HANDOVER),
					deny("d", "2024-06-01T10:00:00+02:00", HANDOVER).actor(JGZ_A)),
			ask("a general permit, a later deny for this organisation", HANDOVER, JGZ_A, "deny", "latest-deny",
					List.of("d"), "denies", permit("p", "2024-03-01T10:00:00+01:00", HANDOVER),
					deny("d", "2024-06-01T10:00:00+02:00", HANDOVER).actor(JGZ_A)),
			ask("purposes mixed: handover permitted", HANDOVER, JGZ_A, "permit", "latest-permit", List.of("p"),
					"permits", permit("p", "2024-03-01T10:00:00+01:00", HANDOVER),
					deny("d", "2024-03-01T10:00:00+01:00", MONITORING)),
			ask("purposes mixed: monitoring denied", MONITORING, null, "deny", "latest-deny", List.of("d"), "denies",
					permit("p", "2024-03-01T10:00:00+01:00", HANDOVER),
					deny("d", "2024-03-01T10:00:00+01:00", MONITORING)),
			ask("both purposes permitted, monitoring withdrawn later: handover still permitted", HANDOVER, JGZ_A,
					"permit", "latest-permit", List.of("both"), "permits",
					permit("both", "2024-03-01T10:00:00+01:00", HANDOVER, MONITORING),
					deny("d", "2024-06-01T10:00:00+02:00", MONITORING)),
			ask("both purposes permitted, monitoring withdrawn later: monitoring denied", MONITORING, null, "deny",
					"latest-deny", List.of("d"), "denies",
					permit("both", "2024-03-01T10:00:00+01:00", HANDOVER, MONITORING),
					deny("d", "2024-06-01T10:00:00+02:00", MONITORING)),
			ask("registry permit later than a recorded deny", HANDOVER, JGZ_A, "permit", "latest-permit", List.of("r"),
					"permits", deny("d", "2024-03-01T10:00:00+01:00", HANDOVER),
					permit("r", "2024-06-01T10:00:00+02:00", HANDOVER).inRegistry()),
			ask("recorded deny later than a registry permit", HANDOVER, JGZ_A, "deny", "latest-deny", List.of("d"),
					"denies", permit("r", "2024-03-01T10:00:00+01:00", HANDOVER).inRegistry(),
					deny("d", "2024-06-01T10:00:00+02:00", HANDOVER)),
			ask("registry deny and recorded permit at the same moment", HANDOVER, JGZ_A, "deny", "deny-wins-tie",
					List.of("p", "r"), "deny wins", permit("p", "2024-03-01T10:00:00+01:00", HANDOVER),
					deny("r", "2024-03-01T10:00:00+01:00", HANDOVER).inRegistry()),
			ask("a registry consent set inactive", MONITORING, null, "deny", "no-permit", List.of(), "1 inactive",
					permit("r", "2024-03-01T10:00:00+01:00", MONITORING).inRegistry().status("inactive")),
			askAboutChild("a child without consents follows the mother's permit", HANDOVER, "permit", "latest-permit",
					List.of("p"), "mother's decides", permit("p", "2024-03-01T10:00:00+01:00", HANDOVER)),
			askAboutChild("a child follows the mother's withdrawal", HANDOVER, "deny", "latest-deny", List.of("d"),
					"mother's decides", permit("p", "2024-03-01T10:00:00+01:00", HANDOVER),
					deny("d", "2024-06-01T10:00:00+02:00", HANDOVER)),
			askAboutChild("a child's own deny overrides the mother's permit", HANDOVER, "deny", "latest-deny",
					List.of("c"), "denies", permit("p", "2024-06-01T10:00:00+02:00", HANDOVER),
					deny("c", "2024-03-01T10:00:00+01:00", HANDOVER).aboutChild()));

	@LocalServerPort
	int port;

	FhirHttp http;

	@BeforeEach
	void setUp() {
		http = new FhirHttp(port);
	}

	@TestFactory
	Stream<DynamicTest> everyHistoryGetsItsDecision() {
		long[] seed = { 41_000 };
		List<DynamicTest> tests = new ArrayList<>();
		for (Case c : CASES) {
			long caseSeed = seed[0]++;
			tests.add(DynamicTest.dynamicTest(c.name(), () -> check(c, caseSeed)));
		}
		return tests.stream();
	}

	private void check(Case c, long seed) {
		var pregnancy = new PregnancyGenerator(seed).next();
		String bsn = pregnancy.truth().motherBsn();
		Reference byBsn = new Reference().setIdentifier(new Identifier().setSystem(BSN_SYSTEM).setValue(bsn));
		registryHolds(bsn,
				c.history().stream().filter(Given::registry).map(g -> g.toConsent(byBsn)).toArray(Consent[]::new));
		Family family = Family.submit(http, pregnancy,
				(mother, child) -> c.history()
					.stream()
					.filter(g -> !g.registry())
					.map(g -> g.toConsent(g.about() == Whom.CHILD ? child : mother))
					.toList());

		String subject = c.subject() == Whom.CHILD ? family.childId() : family.motherId();
		FhirHttp.Response r = http.get("/fhir/Patient/" + subject + "/$consent-decision?purpose=" + c.purpose().code()
				+ (c.actor() == null ? "" : "&actor=" + c.actor()) + "&at=" + AT.replace("+", "%2B"));
		assertThat(r.status()).as(r.body()).isEqualTo(200);
		Parameters p = r.as(Parameters.class);
		String reason = p.getParameter("reason").getValue().primitiveValue();
		assertThat(p.getParameter("outcome").getValue().primitiveValue()).as(reason).isEqualTo(c.outcome());
		assertThat(p.getParameter("ground").getValue().primitiveValue()).as(reason).isEqualTo(c.ground());
		assertThat(reason).contains(c.reason());
		List<String> expectedBasis = c.basis()
			.stream()
			.map(name -> c.history()
				.stream()
				.filter(g -> g.name().equals(name))
				.findFirst()
				.map(g -> g.registry() ? registryUrl(name) : family.consent(name))
				.orElseThrow())
			.toList();
		List<String> basis = p.getParameter()
			.stream()
			.filter(x -> x.getName().equals("basis"))
			.map(x -> ((Reference) x.getValue()).getReference())
			.toList();
		assertThat(basis).containsExactlyInAnyOrderElementsOf(expectedBasis);
		assertThat(p.getParameter("purpose").getValue()).extracting(v -> ((org.hl7.fhir.r4.model.Coding) v).getCode())
			.isEqualTo(c.purpose().code());
		assertThat(p.getParameter("policy").getValue().primitiveValue()).isEqualTo("opt-in");
	}

}
