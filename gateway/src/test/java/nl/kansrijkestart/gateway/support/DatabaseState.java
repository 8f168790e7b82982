package nl.kansrijkestart.gateway.support;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Row counts of every table the gateway writes: equal before and after means nothing was
 * stored.
 */
public record DatabaseState(Map<String, Long> rows) {

	private static final List<String> TABLES = List.of("resource", "resource_history", "resource_identifier",
			"search_token", "search_reference", "search_date", "consent_decision", "handover", "handover_delivery");

	public static DatabaseState of(JdbcTemplate jdbc) {
		Map<String, Long> rows = new LinkedHashMap<>();
		for (String table : TABLES) {
			rows.put(table, jdbc.queryForObject("select count(*) from " + table, Long.class));
		}
		return new DatabaseState(rows);
	}
}
