package nl.kansrijkestart.gateway.consent;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nl.kansrijkestart.gateway.consent.ConsentDecision.Ground;
import nl.kansrijkestart.gateway.consent.ConsentDecision.Outcome;

/**
 * The consent rules, as one pure function (docs/consent.md has the table of cases). Of
 * the consents about a purpose, only those that apply count: active ones (inactive and
 * entered-in-error are ignored), recorded at or before the moment, whose period covers
 * the moment and whose actor, if any, is the recipient. Of those the latest
 * {@code dateTime} wins; at the same moment deny beats permit. When none applies,
 * handover is denied (opt-in) and monitoring follows the configured policy.
 */
final class ConsentRules {

	/** What the rules decide; the service adds who, what and when. */
	record Verdict(Outcome outcome, Ground ground, String reason, List<String> basis) {
	}

	private ConsentRules() {
	}

	static Verdict decide(List<ConsentStatement> statements, Purpose purpose, String recipient, Instant at,
			MonitoringPolicy monitoringPolicy) {
		List<ConsentStatement> applicable = new ArrayList<>();
		Map<String, Integer> ignored = new LinkedHashMap<>();
		for (ConsentStatement s : statements) {
			if (!s.purposes().contains(purpose)) {
				continue;
			}
			String whyNot = whyNotApplicable(s, recipient, at);
			if (whyNot == null) {
				applicable.add(s);
			}
			else {
				ignored.merge(whyNot, 1, Integer::sum);
			}
		}
		String notes = ignored.isEmpty() ? "" : " (ignored: "
				+ String.join(", ", ignored.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).toList())
				+ ")";
		if (applicable.isEmpty()) {
			boolean optOut = purpose == Purpose.MONITORING && monitoringPolicy == MonitoringPolicy.OPT_OUT;
			return optOut
					? new Verdict(Outcome.PERMIT, Ground.NO_OBJECTION,
							"no objection to " + purpose.description() + " applies, and " + purpose.description()
									+ " is opt-out" + notes,
							List.of())
					: new Verdict(Outcome.DENY, Ground.NO_PERMIT, "no permit for " + purpose.description()
							+ " applies, and " + purpose.description() + " needs one (opt-in)" + notes, List.of());
		}
		Instant latest = applicable.stream()
			.map(ConsentStatement::dateTime)
			.max(Comparator.naturalOrder())
			.orElseThrow();
		List<ConsentStatement> newest = applicable.stream().filter(s -> s.dateTime().equals(latest)).toList();
		List<ConsentStatement> denies = newest.stream().filter(s -> !s.permit()).toList();
		if (denies.isEmpty()) {
			return new Verdict(Outcome.PERMIT, Ground.LATEST_PERMIT,
					"the latest applicable consent (" + latest + ") permits " + purpose.description() + notes,
					references(newest));
		}
		if (denies.size() < newest.size()) {
			return new Verdict(Outcome.DENY, Ground.DENY_WINS_TIE,
					"a permit and a deny of the same moment (" + latest + "): deny wins" + notes, references(newest));
		}
		return new Verdict(Outcome.DENY, Ground.LATEST_DENY,
				"the latest applicable consent (" + latest + ") denies " + purpose.description() + notes,
				references(denies));
	}

	/**
	 * Null when the consent applies to this recipient at this moment, else a short reason
	 * to show in the verdict.
	 */
	private static String whyNotApplicable(ConsentStatement s, String recipient, Instant at) {
		if (s.status() == ConsentStatement.Status.INACTIVE) {
			return "inactive";
		}
		if (s.status() == ConsentStatement.Status.ENTERED_IN_ERROR) {
			return "entered in error";
		}
		if (s.dateTime().isAfter(at)) {
			return "recorded after the moment decided for";
		}
		if ((s.periodStart() != null && s.periodStart().isAfter(at))
				|| (s.periodEnd() != null && s.periodEnd().isBefore(at))) {
			return "with a period that does not cover the moment";
		}
		if (!s.actors().isEmpty() && (recipient == null || !s.actors().contains(recipient))) {
			return "for another recipient";
		}
		return null;
	}

	private static List<String> references(List<ConsentStatement> statements) {
		return statements.stream().map(ConsentStatement::reference).toList();
	}

}
