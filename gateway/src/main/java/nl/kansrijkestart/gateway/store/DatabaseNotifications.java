package nl.kansrijkestart.gateway.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Hears which queue tables got work: their insert triggers (Flyway V10)
 * {@code NOTIFY gateway_work} with the table's name, on commit, to every listening
 * session of every instance. One session per instance listens; each poller holds a
 * {@link WorkSignal} for its table. A lost connection is reopened, and every signal is
 * raised then, since notifications sent meanwhile are gone.
 */
@Component
public class DatabaseNotifications implements SmartLifecycle {

	static final String CHANNEL = "gateway_work";

	private static final Logger log = LoggerFactory.getLogger(DatabaseNotifications.class);

	private static final int WAIT_MILLIS = 500;

	private final DataSource dataSource;

	private final DatabaseProperties properties;

	private final Map<String, List<WorkSignal>> signals = new ConcurrentHashMap<>();

	private volatile boolean running;

	private Thread listener;

	DatabaseNotifications(DataSource dataSource, DatabaseProperties properties) {
		this.dataSource = dataSource;
		this.properties = properties;
	}

	/**
	 * A new signal raised whenever {@code table} announces work; each poller takes its
	 * own.
	 */
	public WorkSignal signalFor(String table) {
		WorkSignal signal = new WorkSignal(properties.idlePollInterval(), System::nanoTime);
		signals.computeIfAbsent(table, t -> new CopyOnWriteArrayList<>()).add(signal);
		return signal;
	}

	private void listen() {
		while (running) {
			try (Connection connection = dataSource.getConnection();
					Statement statement = connection.createStatement()) {
				connection.setAutoCommit(true);
				statement.execute("listen " + CHANNEL);
				raiseAll();
				PGConnection pg = connection.unwrap(PGConnection.class);
				while (running) {
					PGNotification[] received = pg.getNotifications(WAIT_MILLIS);
					if (received != null) {
						for (PGNotification notification : received) {
							signals.getOrDefault(notification.getParameter(), List.of()).forEach(WorkSignal::signal);
						}
					}
				}
				statement.execute("unlisten " + CHANNEL);
			}
			catch (SQLException | RuntimeException e) {
				if (running) {
					log.warn(
							"Listening for queue notifications failed ({}); the pollers query at their idle interval until it is back",
							e.toString());
					pause();
				}
			}
		}
	}

	private void raiseAll() {
		signals.values().forEach(list -> list.forEach(WorkSignal::signal));
	}

	private static void pause() {
		try {
			Thread.sleep(1000);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public synchronized void start() {
		running = true;
		listener = new Thread(this::listen, "database-notifications");
		listener.setDaemon(true);
		listener.start();
	}

	@Override
	public synchronized void stop() {
		running = false;
		if (listener != null) {
			try {
				listener.join(WAIT_MILLIS * 4L);
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
		}
	}

	@Override
	public boolean isRunning() {
		return running;
	}

}
