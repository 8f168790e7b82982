package nl.kansrijkestart.gateway.inbound;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Kernset messages that could not be processed (table inbound_dead_letter), and the ones
 * that were (inbound_message).
 */
@Component
class DeadLetters {

	/** One dead letter; {@code body} only when asked for (it is personal data). */
	@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
	record DeadLetter(UUID id, Instant receivedAt, String channel, String sender, String senderClient, String messageId,
			String fileName, int status, String reason, Instant replayedAt, String replayOutcome, byte[] body) {
	}

	private final JdbcTemplate jdbc;

	private final InboundProperties properties;

	DeadLetters(JdbcTemplate jdbc, InboundProperties properties) {
		this.jdbc = jdbc;
		this.properties = properties;
	}

	/**
	 * Messages not replayed within the retention lose their body (personal data kept only
	 * to be replayed); the letter and its reason stay. Returns how many.
	 */
	@Scheduled(initialDelayString = "PT1M", fixedDelayString = "PT1H")
	int expireBodies() {
		return jdbc.update(
				"update inbound_dead_letter set body = null, replay_outcome = 'message removed after "
						+ properties.deadLetterRetention() + "' where body is not null and received_at < ?",
				Timestamp.from(Instant.now().minus(properties.deadLetterRetention())));
	}

	/** The message this sender sent under this id before: its content hash, if any. */
	Optional<String> processed(String sender, String messageId) {
		return jdbc
			.queryForList("select sha256 from inbound_message where sender = ? and message_id = ?", String.class,
					sender, messageId)
			.stream()
			.findFirst();
	}

	/**
	 * Inside the ingest's transaction: the message counts as processed exactly when its
	 * resources are stored.
	 */
	void markProcessed(String sender, String messageId, String sha256, String channel, int resources) {
		jdbc.update(
				"insert into inbound_message (sender, message_id, sha256, channel, resources) values (?, ?, ?, ?, ?)",
				sender, messageId, sha256, channel, resources);
	}

	UUID add(String channel, String sender, String senderClient, String messageId, String fileName, int status,
			String reason, byte[] body) {
		UUID id = UUID.randomUUID();
		jdbc.update(
				"insert into inbound_dead_letter (id, channel, sender, sender_client, message_id, file_name, status, reason, body)"
						+ " values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
				id, channel, sender, senderClient, messageId, fileName, status, reason, body);
		return id;
	}

	List<DeadLetter> list(boolean open) {
		return jdbc.query(
				"select id, received_at, channel, sender, sender_client, message_id, file_name, status, reason, replayed_at,"
						+ " replay_outcome from inbound_dead_letter" + (open ? " where replayed_at is null" : "")
						+ " order by received_at",
				(rs, n) -> new DeadLetter(rs.getObject(1, UUID.class), rs.getTimestamp(2).toInstant(), rs.getString(3),
						rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getInt(8),
						rs.getString(9), instant(rs.getTimestamp(10)), rs.getString(11), null));
	}

	Optional<DeadLetter> withBody(UUID id) {
		return jdbc.query(
				"select id, received_at, channel, sender, sender_client, message_id, file_name, status, reason, replayed_at,"
						+ " replay_outcome, body from inbound_dead_letter where id = ?",
				(rs, n) -> new DeadLetter(rs.getObject(1, UUID.class), rs.getTimestamp(2).toInstant(), rs.getString(3),
						rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getInt(8),
						rs.getString(9), instant(rs.getTimestamp(10)), rs.getString(11), rs.getBytes(12)),
				id)
			.stream()
			.findFirst();
	}

	/**
	 * A replay that worked: the letter is closed and its body, no longer needed, is
	 * removed.
	 */
	void replayed(UUID id, String outcome) {
		jdbc.update("update inbound_dead_letter set replayed_at = now(), replay_outcome = ?, body = null where id = ?",
				outcome, id);
	}

	/** A replay that failed again: the letter stays open with the new reason. */
	void failedAgain(UUID id, int status, String reason) {
		jdbc.update(
				"update inbound_dead_letter set status = ?, reason = ?, replay_outcome = 'failed again' where id = ?",
				status, reason, id);
	}

	private static Instant instant(Timestamp t) {
		return t == null ? null : t.toInstant();
	}

}
