package nl.kansrijkestart.gateway.store;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Supervises the embedded PostgreSQL: if its server process dies (a crash, an OOM kill),
 * the gateway cannot recover it from inside, and every request would wait for a
 * connection that never comes. It exits instead (status 4), so its supervisor starts it
 * again: the next start recovers the database from its write-ahead log. Requests in the
 * few seconds before get a fast 503 (bounded pool wait). Not active while the application
 * stops the database itself.
 */
class EmbeddedDatabaseWatchdog implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabaseWatchdog.class);
	static final int EXIT_STATUS = 4;

	private final BooleanSupplier serverAlive;

	private final IntConsumer halt;

	private final AtomicBoolean running = new AtomicBoolean();

	EmbeddedDatabaseWatchdog(BooleanSupplier serverAlive, IntConsumer halt) {
		this.serverAlive = serverAlive;
		this.halt = halt;
	}

	@Scheduled(fixedDelay = 1000, initialDelay = 1000)
	void check() {
		if (running.get() && !serverAlive.getAsBoolean()) {
			log.error("The embedded PostgreSQL server is gone: the gateway exits so that its supervisor restarts it");
			halt.accept(EXIT_STATUS);
		}
	}

	@Override
	public void start() {
		running.set(true);
	}

	/** Stopped before the database is: a shutdown is not a crash. */
	@Override
	public void stop() {
		running.set(false);
	}

	@Override
	public boolean isRunning() {
		return running.get();
	}

}
