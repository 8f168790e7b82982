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
 * Mothers whose derived data (handovers, monitoring facts) must be brought up to date:
 * requests appended to a table in the transaction that causes them, drained by
 * transactional pollers that take rows with {@code FOR UPDATE SKIP
 * LOCKED}, so several consumers and gateway instances share it. A request never waits for
 * anyone: it conflicts with no row (V12). A consumer handles each mother of its rows
 * once, in sorted order and under a per-mother lock (two consumers may hold requests for
 * the same mother), and deletes only the rows it took. A poller queries only when the
 * table announced work ({@link DatabaseNotifications}), while it keeps finding work, or
 * at the idle interval.
 */
public final class RecheckQueue {

	private final JdbcTemplate jdbc;

	private final DataSource dataSource;

	private final String table;

	private final DatabaseNotifications notifications;

	/**
	 * @param table a table with columns
	 * {@code mother text primary key, requested_at timestamptz} and a trigger that
	 * announces inserts (Flyway)
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
	 * Asks for these mothers to be rechecked, in the caller's transaction; it takes no
	 * lock anyone holds.
	 */
	public void request(Collection<String> mothers) {
		if (mothers.isEmpty()) {
			return;
		}
		jdbc.update("insert into " + table + " (mother, requested_at) select m, now() from unnest(?::text[]) as t(m)",
				(Object) mothers.stream().distinct().toArray(String[]::new));
	}

	/**
	 * A consumer: takes up to 20 requests per transaction, oldest first, and hands each
	 * of their mothers to {@code check}.
	 */
	public IntegrationFlow consumer(Consumer<String> check, Duration pollInterval,
			PlatformTransactionManager transactions) {
		JdbcPollingChannelAdapter due = new JdbcPollingChannelAdapter(dataSource,
				"select id, mother from " + table + " order by id limit 20 for update skip locked");
		due.setUpdateSql("delete from " + table + " where id in (:id)");
		WorkSignal work = notifications.signalFor(table);
		return IntegrationFlow.from(due,
				e -> e.poller(Pollers.fixedDelay(pollInterval)
					.maxMessagesPerPoll(10)
					.advice(new PollSkipAdvice(work))
					.transactional(transactions)))
			.handle(List.class, (rows, headers) -> {
				// a full batch may leave more behind: look again at the next tick
				work.signal();
				((List<?>) rows).stream()
					.map(row -> (String) ((Map<?, ?>) row).get("mother"))
					.distinct()
					.sorted()
					.forEach(mother -> {
						jdbc.query("select pg_advisory_xact_lock(hashtext(?))", rs -> {
						}, table + ":" + mother);
						check.accept(mother);
					});
				return null;
			})
			.get();
	}

}
