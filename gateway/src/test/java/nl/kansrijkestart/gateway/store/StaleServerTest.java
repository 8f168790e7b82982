package nl.kansrijkestart.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A server left on the data directory (as a gateway killed with -9 leaves it) is stopped,
 * and a new one starts there.
 */
class StaleServerTest {

	@Test
	void anOrphanedServerOnTheDataDirectoryIsStoppedAndANewOneStarts() throws Exception {
		Path dir = Files.createDirectories(Path.of("target", "stale-server", java.util.UUID.randomUUID().toString()));
		// A JVM that starts the server and dies at once, without any shutdown: what kill
		// -9 of a gateway leaves.
		Process dying = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
				System.getProperty("java.class.path"), StaleServerTest.class.getName(), dir.toString())
			.inheritIO()
			.start();
		assertThat(dying.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
		ProcessHandle server = StaleServer.postmaster(dir).orElseThrow();
		assertThat(server.isAlive()).isTrue();

		StaleServer.stopIfRunning(dir);
		server.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
		assertThat(server.isAlive()).isFalse();
		assertThat(StaleServer.postmaster(dir)).isEmpty();

		try (EmbeddedPostgres fresh = EmbeddedPostgres.builder()
			.setDataDirectory(dir)
			.setCleanDataDirectory(false)
			.setRegisterShutdownHook(false)
			.setPGStartupWait(Duration.ofSeconds(30))
			.start()) {
			assertThat(StaleServer.postmaster(dir)).isPresent();
		}
	}

	/** The dying gateway: starts PostgreSQL on the directory and halts. */
	public static void main(String[] args) throws Exception {
		EmbeddedPostgres.builder()
			.setDataDirectory(Path.of(args[0]))
			.setCleanDataDirectory(false)
			.setRegisterShutdownHook(false)
			.start();
		Runtime.getRuntime().halt(0);
	}

	@Test
	void aDirectoryWithoutAServerIsLeftAlone() throws Exception {
		Path dir = Files.createDirectories(Path.of("target", "stale-server", java.util.UUID.randomUUID().toString()));
		Files.writeString(dir.resolve("postmaster.pid"), ProcessHandle.current().pid() + "\n");
		StaleServer.stopIfRunning(dir);
		assertThat(ProcessHandle.current().isAlive()).isTrue();
	}

}
