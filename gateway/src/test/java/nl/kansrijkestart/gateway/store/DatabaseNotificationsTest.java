package nl.kansrijkestart.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;
import nl.kansrijkestart.gateway.support.GatewayTest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The queue tables announce their work on commit, and the listening session raises the
 * pollers' signals.
 */
@GatewayTest
class DatabaseNotificationsTest {

	@Autowired
	DatabaseNotifications notifications;

	@Autowired
	JdbcTemplate jdbc;

	@Test
	void anInsertIntoAQueueTableRaisesItsSignalsAndNoOtherTables() {
		WorkSignal monitoring = notifications.signalFor("monitoring_check");
		WorkSignal deliveries = notifications.signalFor("handover_delivery");
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !monitoring.skipPoll());
		deliveries.skipPoll();
		assertThat(monitoring.skipPoll()).isTrue();

		// a mother nobody knows: the real consumer's refresh of her facts finds nothing
		// to do
		jdbc.update("insert into monitoring_check (mother, requested_at) values (?, now())",
				"test-" + UUID.randomUUID());

		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !monitoring.skipPoll());
		assertThat(deliveries.skipPoll()).isTrue();
	}

	@Test
	void aNotificationSentInATransactionArrivesOnlyWhenItCommits() {
		WorkSignal signal = notifications.signalFor("test_queue");
		signal.skipPoll();
		assertThat(signal.skipPoll()).isTrue();

		jdbc.execute("begin; select pg_notify('gateway_work', 'test_queue'); rollback");
		jdbc.execute("select pg_sleep(1)");
		assertThat(signal.skipPoll()).as("rolled back: nothing announced").isTrue();

		jdbc.execute("select pg_notify('gateway_work', 'test_queue')");
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !signal.skipPoll());
	}

}
