package nl.kansrijkestart.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import nl.kansrijkestart.gateway.support.CleanDatabaseConfiguration.OwnerJdbc;
import nl.kansrijkestart.gateway.support.GatewayTest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.integration.dsl.context.IntegrationFlowContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The recheck queue with its real consumer flow, on a table shaped like
 * {@code handover_check}: a request never waits for a consumer, and a request made while
 * a consumer handles the same mother is not lost.
 */
@GatewayTest
class RecheckQueueTest {

	private static final String TABLE = "recheck_queue_test";

	@Autowired
	DataSource dataSource;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	OwnerJdbc owner;

	@Autowired
	DatabaseNotifications notifications;

	@Autowired
	PlatformTransactionManager transactions;

	@Autowired
	IntegrationFlowContext flows;

	private RecheckQueue queue;

	private final List<String> checked = new CopyOnWriteArrayList<>();

	private final CountDownLatch release = new CountDownLatch(1);

	private final CountDownLatch handling = new CountDownLatch(1);

	private IntegrationFlowContext.IntegrationFlowRegistration consumer;

	@BeforeEach
	void queueWithConsumer() {
		owner.jdbc().execute("create table " + TABLE + " (like handover_check including all)");
		owner.jdbc()
			.execute("create trigger " + TABLE + "_work after insert on " + TABLE
					+ " for each statement execute function notify_work()");
		queue = new RecheckQueue(dataSource, TABLE, notifications);
		consumer = flows.registration(queue.consumer(mother -> {
			checked.add(mother);
			if (mother.startsWith("slow-")) {
				handling.countDown();
				await(release);
			}
		}, Duration.ofMillis(50), transactions)).register();
	}

	@AfterEach
	void dropIt() {
		release.countDown();
		consumer.destroy();
		owner.jdbc().execute("drop table " + TABLE);
	}

	@Test
	void aRequestForAMotherBeingHandledNeitherWaitsNorIsLost() throws Exception {
		String mother = "slow-" + UUID.randomUUID();
		queue.request(List.of(mother));
		assertThat(handling.await(10, TimeUnit.SECONDS)).as("the consumer took the request").isTrue();

		// The consumer's transaction holds (and has deleted) her row: before V12 this
		// insert waited for it.
		new TransactionTemplate(transactions).executeWithoutResult(status -> {
			jdbc.execute("set local lock_timeout = '2s'");
			queue.request(List.of(mother));
		});
		release.countDown();

		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> checked.size() == 2);
		Awaitility.await()
			.atMost(Duration.ofSeconds(10))
			.until(() -> jdbc.queryForObject("select count(*) from " + TABLE, Long.class) == 0);
		assertThat(checked).containsExactly(mother, mother);
	}

	@Test
	void aBatchHandlesEachMotherOnceInSortedOrder() {
		String a = "a-" + UUID.randomUUID();
		String b = "b-" + UUID.randomUUID();
		new TransactionTemplate(transactions).executeWithoutResult(status -> {
			queue.request(List.of(b, a));
			queue.request(List.of(a));
		});

		Awaitility.await()
			.atMost(Duration.ofSeconds(10))
			.until(() -> jdbc.queryForObject("select count(*) from " + TABLE, Long.class) == 0);
		assertThat(checked).containsExactly(a, b);
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await(30, TimeUnit.SECONDS);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

}
