package nl.kansrijkestart.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import nl.kansrijkestart.gateway.support.CleanDatabaseConfiguration.OwnerJdbc;
import nl.kansrijkestart.gateway.support.GatewayTest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The gateway analyses its changed tables itself, through V14's function, as the
 * application role (which may not analyse a table). The test profile sets the job's
 * interval to an hour, so that only the test's own calls run it.
 */
@GatewayTest
class TableStatisticsTest {

	private static final String TABLE = "statistics_probe";

	@Autowired
	TableStatistics statistics;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	OwnerJdbc owner;

	@AfterEach
	void drop() {
		owner.jdbc().execute("drop table if exists " + TABLE);
	}

	@Test
	void aTableThatChangedIsAnalysedOnceThenLeftAlone() {
		owner.jdbc().execute((ConnectionCallback<Void>) c -> {
			try (Statement s = c.createStatement()) {
				s.execute("create table " + TABLE + " (n int)");
				s.execute("insert into " + TABLE + " select generate_series(1, 500)");
				// An idle session reports its activity counters up to 10 s late
				// (PostgreSQL 15+): now, at the next commit
				s.execute("select pg_stat_force_next_flush()");
				s.execute("select 1");
			}
			return null;
		});
		assertThat(reltuples()).as("never analysed").isNegative();

		// The server's activity counters reach the statistics views shortly after the
		// commit.
		AtomicReference<List<String>> analysed = new AtomicReference<>(List.of());
		Awaitility.await()
			.atMost(Duration.ofSeconds(15))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> analysed.updateAndGet(a -> a.contains(TABLE) ? a : statistics.refreshNow()).contains(TABLE));

		assertThat(reltuples()).isEqualTo(500);
		assertThat(statistics.refreshNow()).as("unchanged since").doesNotContain(TABLE);
	}

	@Test
	void onlyTheApplicationRoleAndTheOwnerMayRunIt() {
		assertThat(jdbc.queryForObject(
				"select has_function_privilege('public', 'refresh_table_statistics()', 'execute')", Boolean.class))
			.isFalse();
		assertThat(jdbc.queryForObject(
				"select has_function_privilege(current_user, 'refresh_table_statistics()', 'execute')", Boolean.class))
			.isTrue();
	}

	private float reltuples() {
		return jdbc.queryForObject("select reltuples from pg_class where relname = ?", Float.class, TABLE);
	}

}
