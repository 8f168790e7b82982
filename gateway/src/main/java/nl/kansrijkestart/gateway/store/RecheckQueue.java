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
import org.springframework.integration.scheduling.PollSkipAdvice;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Mothers whose derived data (handovers, monitoring facts) must be brought up to date: a table with one row per mother
 * however often she is asked for, written in the transaction that causes the request, and drained by transactional
 * pollers that take rows with {@code FOR UPDATE SKIP LOCKED}, so several consumers and gateway instances share it.
 * A poller queries only when the table announced work ({@link DatabaseNotifications}), while it keeps finding work,
 * or at the idle interval.
 */
public final class RecheckQueue {

	private final JdbcTemplate jdbc;
	private final DataSource dataSource;
	private final String table;
	private final DatabaseNotifications notifications;

	/**
	 * @param table a table with columns {@code mother text primary key, requested_at timestamptz} and a trigger that
	 *        announces inserts (Flyway)
	 */
	public RecheckQueue(DataSource dataSource, String table, DatabaseNotifications notifications) {
		if (!table.matches("[a-z_]+")) {
			throw new IllegalArgumentException("Bad table name " + table);
		}
		this.jdbc = new JdbcTemplate(dataSource);
		this.dataSource = dataSource;
		this.table = table;
		this.notifications = notifications;
	}

	/**
	 * One statement, the mothers in sorted order: two transactions asking for overlapping sets then take the rows'
	 * locks in the same order and cannot deadlock.
	 */
	public void request(Collection<String> mothers) {
		if (mothers.isEmpty()) {
			return;
		}
		String[] sorted = mothers.stream().distinct().sorted().toArray(String[]::new);
		jdbc.update("insert into " + table + " (mother, requested_at) select m, now() from unnest(?::text[]) with ordinality"
				+ " as t(m, n) order by n on conflict (mother) do nothing", (Object) sorted);
	}

	/** A consumer: takes up to 20 requests per transaction, oldest first, and hands each mother to {@code check}. */
	public IntegrationFlow consumer(Consumer<String> check, Duration pollInterval, PlatformTransactionManager transactions) {
		JdbcPollingChannelAdapter due = new JdbcPollingChannelAdapter(dataSource,
				"select mother from " + table + " order by requested_at limit 20 for update skip locked");
		due.setUpdateSql("delete from " + table + " where mother in (:mother)");
		WorkSignal work = notifications.signalFor(table);
		return IntegrationFlow.from(due, e -> e.poller(Pollers.fixedDelay(pollInterval).maxMessagesPerPoll(10)
						.advice(new PollSkipAdvice(work)).transactional(transactions)))
				.handle(List.class, (rows, headers) -> {
					// a full batch may leave more behind: look again at the next tick
					work.signal();
					for (Object row : rows) {
						check.accept((String) ((Map<?, ?>) row).get("mother"));
					}
					return null;
				})
				.get();
	}
}
