package nl.kansrijkestart.gateway.handover;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** The {@code handover} rows and the push outbox ({@code handover_delivery}). */
@Repository
class HandoverRepository {

	private static final String COLUMNS = "id, mother, child, moment, source_owner, municipality, recipient, status, status_reason,"
			+ " version, content_hash, bundle_identifier, document_id, task_id, acknowledged_at";

	private final JdbcTemplate jdbc;

	HandoverRepository(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * Serialises all work on one mother's handovers across threads and gateway instances,
	 * until the transaction ends.
	 */
	void lock(String mother) {
		jdbc.query("select pg_advisory_xact_lock(hashtext(?))", rs -> {
		}, "handover:" + mother);
	}

	List<Handover> ofMother(String mother) {
		return jdbc.query("select " + COLUMNS + " from handover where mother = ?", HandoverRepository::row, mother);
	}

	Optional<Handover> byTask(String taskId) {
		return jdbc.query("select " + COLUMNS + " from handover where task_id = ?", HandoverRepository::row, taskId)
			.stream()
			.findFirst();
	}

	/** When the first prenatal document for this mother went out, if one did. */
	Optional<Instant> prenatalSentAt(String mother) {
		return jdbc
			.queryForList(
					"select coalesce(first_sent_at, case when status = 'active' then created_at end) from handover"
							+ " where mother = ? and moment = 'prenatal'",
					Timestamp.class, mother)
			.stream()
			.filter(java.util.Objects::nonNull)
			.map(Timestamp::toInstant)
			.findFirst();
	}

	/** When JGZ acknowledged the child's postnatal handover, if it did. */
	Optional<Instant> postnatalAcknowledgedAt(String child) {
		return jdbc
			.queryForList("select acknowledged_at from handover where child = ? and moment = 'postnatal'",
					Timestamp.class, child)
			.stream()
			.filter(java.util.Objects::nonNull)
			.map(Timestamp::toInstant)
			.findFirst();
	}

	void save(Handover h, Instant now) {
		jdbc.update("insert into handover (" + COLUMNS
				+ ", created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
				+ " on conflict (id) do update set municipality = excluded.municipality, recipient = excluded.recipient,"
				+ " status = excluded.status, status_reason = excluded.status_reason, version = excluded.version,"
				+ " content_hash = excluded.content_hash, bundle_identifier = excluded.bundle_identifier,"
				+ " document_id = excluded.document_id, task_id = excluded.task_id, acknowledged_at = excluded.acknowledged_at,"
				+ " first_sent_at = coalesce(handover.first_sent_at, case when excluded.status = 'active' then excluded.updated_at end),"
				+ " updated_at = excluded.updated_at", h.id(), h.mother(), h.child(), h.moment().code(),
				h.sourceOwner(), h.municipality(), h.recipient(), h.status(), h.statusReason(), h.version(),
				h.contentHash(), h.bundleIdentifier(), h.documentId(), h.taskId(),
				h.acknowledgedAt() == null ? null : Timestamp.from(h.acknowledgedAt()), Timestamp.from(now),
				Timestamp.from(now));
	}

	void acknowledged(String taskId, Instant at) {
		jdbc.update("update handover set acknowledged_at = ?, updated_at = ? where task_id = ?", Timestamp.from(at),
				Timestamp.from(at), taskId);
	}

	/** A document to push, due now. */
	void enqueueDelivery(Handover h, String endpoint, Instant now) {
		jdbc.update(
				"insert into handover_delivery (handover_id, order_key, task_id, document_id, bundle_identifier, recipient,"
						+ " endpoint, status, next_attempt_at, created_at) values (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
				h.id(), h.id().toString(), h.taskId(), h.documentId(), h.bundleIdentifier(), h.recipient(), endpoint,
				Timestamp.from(now), Timestamp.from(now));
	}

	/**
	 * Stops every delivery of this handover that has not happened yet; returns how many.
	 */
	int cancelPendingDeliveries(UUID handoverId, String reason) {
		return jdbc.update(
				"update handover_delivery set status = 'cancelled', last_error = ? where handover_id = ? and status = 'pending'",
				reason, handoverId);
	}

	private static Handover row(ResultSet rs, int n) throws SQLException {
		Timestamp ack = rs.getTimestamp(15);
		return new Handover(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3),
				HandoverDocuments.Moment.valueOf(rs.getString(4).toUpperCase(java.util.Locale.ROOT)), rs.getString(5),
				rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getInt(10), rs.getString(11),
				rs.getString(12), rs.getString(13), rs.getString(14), ack == null ? null : ack.toInstant());
	}

}
