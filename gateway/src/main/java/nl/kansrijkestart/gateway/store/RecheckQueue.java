package nl.kansrijkestart.gateway.store;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.integration.dsl.Pollers;
import org.springframework.integration.jdbc.JdbcPollingChannelAdapter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Mothers whose derived data (handovers, monitoring facts) must be brought up to date: a table with one row per mother
 * however often she is asked for, written in the transaction that causes the request, and drained by transactional
 * pollers that take rows with {@code FOR UPDATE SKIP LOCKED}, so several consumers and gateway instances share it.
 */
public final class RecheckQueue {

	private final JdbcTemplate jdbc;
	private final DataSource dataSource;
	private final String table;

	/** @param table a table with columns {@code mother text primary key, requested_at timestamptz} (Flyway) */
	public RecheckQueue(DataSource dataSource, String table) {
		if (!table.matches("[a-z_]+")) {
			throw new IllegalArgumentException("Bad table name " + table);
		}
		this.jdbc = new JdbcTemplate(dataSource);
		this.dataSource = dataSource;
		this.table = table;
	}

	public void request(Collection<String> mothers) {
		for (String mother : mothers) {
			jdbc.update("insert into " + table + " (mother, requested_at) values (?, now()) on conflict (mother) do nothing", mother);
		}
	}

	/** A consumer: takes up to 20 requests per transaction, oldest first, and hands each mother to {@code check}. */
	public IntegrationFlow consumer(Consumer<String> check, Duration pollInterval, PlatformTransactionManager transactions) {
		JdbcPollingChannelAdapter due = new JdbcPollingChannelAdapter(dataSource,
				"select mother from " + table + " order by requested_at limit 20 for update skip locked");
		due.setUpdateSql("delete from " + table + " where mother in (:mother)");
		return IntegrationFlow.from(due, e -> e.poller(Pollers.fixedDelay(pollInterval).maxMessagesPerPoll(10).transactional(transactions)))
				.handle(List.class, (rows, headers) -> {
					for (Object row : rows) {
						check.accept((String) ((Map<?, ?>) row).get("mother"));
					}
					return null;
				})
				.get();
	}
}
