package nl.kansrijkestart.gateway.store;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param statementTimeout longest a statement may run (set on every session)
 * @param idleInTransactionTimeout longest a session may hold a transaction open doing
 * nothing
 * @param idlePollInterval how often an idle queue poller queries anyway (work is
 * announced by LISTEN/NOTIFY)
 * @param statisticsInterval how often the planner statistics of changed tables are
 * brought up to date (TableStatistics)
 */
@ConfigurationProperties("gateway.database")
public record DatabaseProperties(Duration statementTimeout, Duration idleInTransactionTimeout,
		Duration idlePollInterval, Duration statisticsInterval) {

	public DatabaseProperties {
		idlePollInterval = idlePollInterval == null ? Duration.ofSeconds(30) : idlePollInterval;
		statisticsInterval = statisticsInterval == null ? Duration.ofSeconds(10) : statisticsInterval;
	}
}
