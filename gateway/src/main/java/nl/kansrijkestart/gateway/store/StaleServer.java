package nl.kansrijkestart.gateway.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gateway killed with -9 leaves its embedded PostgreSQL running on the data directory.
 * A new start would then fail (the data directory is in use) or, on a fixed port,
 * silently talk to the orphan. The orphan is found by the directory's
 * {@code postmaster.pid} and stopped (fast shutdown, then kill), before the new server
 * starts.
 */
final class StaleServer {

	private static final Logger log = LoggerFactory.getLogger(StaleServer.class);

	private static final Duration GRACE = Duration.ofSeconds(20);

	private StaleServer() {
	}

	static void stopIfRunning(Path dataDirectory) throws IOException {
		Optional<ProcessHandle> orphan = postmaster(dataDirectory);
		if (orphan.isEmpty()) {
			return;
		}
		ProcessHandle server = orphan.get();
		log.warn("A PostgreSQL server (pid {}) from an earlier run still holds {}: stopping it", server.pid(),
				dataDirectory);
		// SIGTERM: PostgreSQL's smart shutdown; nobody is connected any more, so it ends
		// at once.
		server.destroy();
		try {
			if (!server.onExit().get(GRACE.toSeconds(), TimeUnit.SECONDS).isAlive()) {
				return;
			}
		}
		catch (Exception e) {
			// fall through to the kill; crash recovery at the next start makes the data
			// consistent
		}
		log.warn("PostgreSQL pid {} did not stop within {} s: killing it (the next start recovers from the WAL)",
				server.pid(), GRACE.toSeconds());
		server.destroyForcibly();
	}

	/**
	 * The live postmaster of this data directory, if its pid file names one that is a
	 * PostgreSQL process.
	 */
	static Optional<ProcessHandle> postmaster(Path dataDirectory) throws IOException {
		return recorded(dataDirectory).filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false));
	}

	/**
	 * The live process the data directory's pid file names, whatever it is (for
	 * supervision: never for a kill).
	 */
	static Optional<ProcessHandle> recorded(Path dataDirectory) throws IOException {
		Path pidFile = dataDirectory.resolve("postmaster.pid");
		if (!Files.exists(pidFile)) {
			return Optional.empty();
		}
		String first = Files.readAllLines(pidFile).stream().findFirst().orElse("").trim();
		try {
			return ProcessHandle.of(Long.parseLong(first)).filter(ProcessHandle::isAlive);
		}
		catch (NumberFormatException e) {
			return Optional.empty();
		}
	}

}
