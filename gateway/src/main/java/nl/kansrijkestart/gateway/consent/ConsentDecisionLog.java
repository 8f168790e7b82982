package nl.kansrijkestart.gateway.consent;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import nl.kansrijkestart.gateway.privacy.Pseudonymizer;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * Every consent decision that gated data leaving the gateway, append-only: an auditor can
 * answer "why was this sent" and "why was this not sent" long after. Persons appear as
 * Patient ids and audit pseudonyms, never as a BSN.
 */
@Repository
public class ConsentDecisionLog {

	/** One logged decision; {@code context} is what it gated. */
	public record Entry(UUID id, Instant decidedAt, ConsentDecision decision, String context) {
	}

	private final JdbcTemplate jdbc;

	private final Pseudonymizer pseudonymizer;

	ConsentDecisionLog(JdbcTemplate jdbc, Pseudonymizer pseudonymizer) {
		this.jdbc = jdbc;
		this.pseudonymizer = pseudonymizer;
	}

	void record(ConsentDecision d, String bsn, String context) {
		jdbc.update(
				"insert into consent_decision (id, decided_at, effective_at, patient, person_pseudonym, purpose, recipient,"
						+ " outcome, ground, reason, basis, context) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
				UUID.randomUUID(), Timestamp.from(Instant.now()), Timestamp.from(d.at()), d.patient(),
				bsn == null ? null : pseudonymizer.pseudonym(Pseudonymizer.Domain.AUDIT, bsn), d.purpose().code(),
				d.recipient(), d.outcome().name(), d.ground().name(), d.reason(), d.basis().toArray(String[]::new),
				context);
	}

	List<Entry> entries(Collection<String> patientIds) {
		return jdbc.query(
				"select id, decided_at, effective_at, patient, purpose, recipient, outcome, ground, reason, basis, context"
						+ " from consent_decision where patient = any(?) order by decided_at desc, id",
				(rs, n) -> new Entry(rs.getObject(1, UUID.class), rs.getTimestamp(2).toInstant(),
						new ConsentDecision(rs.getString(4), Purpose.fromCode(rs.getString(5)).orElseThrow(),
								rs.getString(6), rs.getTimestamp(3).toInstant(),
								ConsentDecision.Outcome.valueOf(rs.getString(7)),
								ConsentDecision.Ground.valueOf(rs.getString(8)), rs.getString(9),
								Arrays.asList((String[]) rs.getArray(10).getArray())),
						rs.getString(11)),
				(Object) patientIds.stream().map(id -> "Patient/" + id).toArray(String[]::new));
	}

}
