package nl.kansrijkestart.gateway.consent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import nl.kansrijkestart.gateway.consent.ConsentDecision.Ground;
import nl.kansrijkestart.gateway.consent.ConsentDecision.Outcome;
import nl.kansrijkestart.gateway.support.Consents;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;

/**
 * The rules on their own: the monitoring policy setting, and period bounds read at the
 * precision they were given.
 */
class ConsentRulesTest {

	private static final Instant AT = Instant.parse("2025-01-15T11:00:00Z");

	private static ConsentStatement statement(boolean permit, Purpose purpose) {
		return new ConsentStatement("Consent/x", ConsentStatement.Source.RECORDED, ConsentStatement.Status.ACTIVE,
				Instant.parse("2024-03-01T09:00:00Z"), permit, Set.of(purpose), Set.of(), null, null);
	}

	@Test
	void optOutMonitoringCountsEveryoneWhoDidNotObject() {
		var nobody = ConsentRules.decide(List.of(), Purpose.MONITORING, null, AT, MonitoringPolicy.OPT_OUT);
		assertThat(nobody.outcome()).isEqualTo(Outcome.PERMIT);
		assertThat(nobody.ground()).isEqualTo(Ground.NO_OBJECTION);
		var objected = ConsentRules.decide(List.of(statement(false, Purpose.MONITORING)), Purpose.MONITORING, null, AT,
				MonitoringPolicy.OPT_OUT);
		assertThat(objected.outcome()).isEqualTo(Outcome.DENY);
		assertThat(ConsentRules.decide(List.of(), Purpose.MONITORING, null, AT, MonitoringPolicy.OPT_IN).outcome())
			.isEqualTo(Outcome.DENY);
	}

	@Test
	void handoverStaysOptInWhateverTheMonitoringPolicy() {
		var verdict = ConsentRules.decide(List.of(statement(false, Purpose.MONITORING)), Purpose.HANDOVER, "x|1", AT,
				MonitoringPolicy.OPT_OUT);
		assertThat(verdict.outcome()).isEqualTo(Outcome.DENY);
		assertThat(verdict.ground()).isEqualTo(Ground.NO_PERMIT);
	}

	@Test
	void aPeriodEndingOnADateCoversThatWholeDay() {
		var consent = Consents.consent("p", new Reference("Patient/m"), "active", "2024-03-01", true,
				List.of(Purpose.HANDOVER), List.of(), "2024-03-01", "2025-01-15");
		ConsentStatement s = ConsentStatements.of(consent, "Consent/p", ConsentStatement.Source.RECORDED);
		assertThat(ConsentRules
			.decide(List.of(s), Purpose.HANDOVER, null, Instant.parse("2025-01-15T22:59:59Z"), MonitoringPolicy.OPT_IN)
			.outcome()).isEqualTo(Outcome.PERMIT);
		assertThat(ConsentRules
			.decide(List.of(s), Purpose.HANDOVER, null, Instant.parse("2025-01-16T00:00:00Z"), MonitoringPolicy.OPT_IN)
			.outcome()).isEqualTo(Outcome.DENY);
	}

}
