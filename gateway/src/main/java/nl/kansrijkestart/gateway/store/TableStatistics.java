package nl.kansrijkestart.gateway.store;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Keeps the planner's statistics of the gateway's tables current (V14's
 * {@code refresh_table_statistics}), so that plans do not depend on the server's
 * autovacuum: with autovacuum off the tables were never analysed and every lookup by an
 * array of ids read a whole index range. Dead rows are another matter: only VACUUM
 * removes them, and that the gateway cannot do for the server, so a server without
 * autovacuum is reported at every start.
 */
@Component
class TableStatistics {

	private static final Logger log = LoggerFactory.getLogger(TableStatistics.class);

	private final JdbcTemplate jdbc;

	TableStatistics(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	@Scheduled(fixedDelayString = "${gateway.database.statistics-interval}",
			initialDelayString = "${gateway.database.statistics-interval}")
	void refresh() {
		try {
			List<String> analysed = refreshNow();
			if (!analysed.isEmpty()) {
				log.debug("Planner statistics refreshed for {}", analysed);
			}
		}
		catch (DataAccessException e) {
			// The database is away or busy: the next tick tries again, the watchdog and
			// health report the outage.
			log.debug("Planner statistics not refreshed: {}", e.getMessage());
		}
	}

	/**
	 * The tables analysed now: those that changed by more than autovacuum's default
	 * thresholds since their last analysis.
	 */
	List<String> refreshNow() {
		return jdbc.queryForList("select refresh_table_statistics()", String.class);
	}

	@EventListener(ApplicationReadyEvent.class)
	void reportAutovacuum() {
		if (!Boolean.TRUE.equals(jdbc.queryForObject("select current_setting('autovacuum')::boolean", Boolean.class))) {
			log.warn(
					"The database server runs without autovacuum: the gateway keeps its tables' planner statistics itself,"
							+ " but nothing removes dead rows (deliveries, checks and monitoring rows churn). Turn autovacuum on"
							+ " or schedule VACUUM (docs/operations.md)");
		}
	}

}
