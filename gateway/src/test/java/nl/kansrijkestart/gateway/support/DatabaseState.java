package nl.kansrijkestart.gateway.support;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Row counts of every table the gateway writes: equal before and after means nothing was
 * stored.
 */
public record DatabaseState(Map<String, Long> rows) {

	private static final List<String> TABLES = List.of("resource", "resource_history", "resource_identifier",
			"search_token", "search_reference", "search_date", "consent_decision", "handover", "handover_delivery");

	/**
	 * The counts once the gateway's background work (consent changes, handover checks and
	 * due deliveries, monitoring refreshes) is done: in the shared test context another
	 * class's work may still be running.
	 */
	public static DatabaseState of(JdbcTemplate jdbc) {
		awaitBackgroundWork(jdbc);
		Map<String, Long> rows = new LinkedHashMap<>();
		for (String table : TABLES) {
			rows.put(table, jdbc.queryForObject("select count(*) from " + table, Long.class));
		}
		return new DatabaseState(rows);
	}

	/**
	 * Waits until the gateway has nothing left to do: its queues are empty and no
	 * delivery is due.
	 */
	public static void awaitBackgroundWork(JdbcTemplate jdbc) {
		Awaitility.await()
			.atMost(Duration.ofSeconds(30))
			.until(() -> jdbc.queryForObject(
					"select (select count(*) from int_channel_message) + (select count(*) from handover_check)"
							+ " + (select count(*) from monitoring_check)"
							+ " + (select count(*) from handover_delivery where status = 'pending' and next_attempt_at <= now())",
					Long.class) == 0);
	}
}
