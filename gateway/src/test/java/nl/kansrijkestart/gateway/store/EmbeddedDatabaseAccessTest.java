package nl.kansrijkestart.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import nl.kansrijkestart.gateway.store.EmbeddedDatabaseConfiguration.EmbeddedDatabaseProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nobody on the host connects to the embedded server without its generated passwords,
 * also after an upgrade.
 */
class EmbeddedDatabaseAccessTest {

	private final EmbeddedDatabaseConfiguration configuration = new EmbeddedDatabaseConfiguration();

	@TempDir
	Path work;

	private EmbeddedPostgres start(EmbeddedDatabaseProperties properties) throws Exception {
		return configuration.embeddedPostgres(properties, configuration.embeddedCredentials(properties));
	}

	private static String url(EmbeddedPostgres postgres) {
		return "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
	}

	@Test
	void aNewServerWantsThePasswordsKeptBesideItsData() throws Exception {
		EmbeddedDatabaseProperties properties = new EmbeddedDatabaseProperties(work.resolve("postgres"), 0, 2);
		try (EmbeddedPostgres postgres = start(properties)) {
			Path file = EmbeddedCredentials.fileFor(properties.dataDirectory().toAbsolutePath());
			assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
			EmbeddedCredentials credentials = EmbeddedCredentials.loadOrCreate(file, true);
			for (String role : new String[] { "postgres", EmbeddedDatabaseConfiguration.APPLICATION_ROLE }) {
				assertThatThrownBy(() -> DriverManager.getConnection(url(postgres), role, "")).as(role)
					.isInstanceOf(SQLException.class);
				assertThatThrownBy(() -> DriverManager.getConnection(url(postgres), role, "guess")).as(role)
					.hasMessageContaining("password authentication failed");
			}
			try (Connection app = DriverManager.getConnection(url(postgres),
					EmbeddedDatabaseConfiguration.APPLICATION_ROLE, credentials.applicationPassword());
					Statement s = app.createStatement()) {
				var rs = s.executeQuery("select setting from pg_settings where name = 'listen_addresses'");
				rs.next();
				assertThat(rs.getString(1)).isEqualTo("localhost");
			}
		}
		// the next start uses the same passwords
		try (EmbeddedPostgres again = start(properties)) {
			assertThatThrownBy(() -> DriverManager.getConnection(url(again), "postgres", ""))
				.isInstanceOf(SQLException.class);
		}
	}

	@Test
	void anEarlierVersionsOpenServerGetsPasswordsAndKeepsItsData() throws Exception {
		Path dir = work.resolve("postgres");
		try (EmbeddedPostgres old = EmbeddedPostgres.builder()
			.setDataDirectory(dir)
			.setCleanDataDirectory(false)
			.start(); Connection c = old.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
			s.execute("create table kept (v text)");
			s.execute("insert into kept values ('still here')");
		}
		EmbeddedDatabaseProperties properties = new EmbeddedDatabaseProperties(dir, 0, 2);
		try (EmbeddedPostgres postgres = start(properties)) {
			assertThatThrownBy(() -> DriverManager.getConnection(url(postgres), "postgres", ""))
				.isInstanceOf(SQLException.class);
			EmbeddedCredentials credentials = EmbeddedCredentials.loadOrCreate(EmbeddedCredentials.fileFor(dir), true);
			try (Connection c = DriverManager.getConnection(url(postgres), "postgres", credentials.superuserPassword());
					Statement s = c.createStatement()) {
				var rs = s.executeQuery("select v from kept");
				rs.next();
				assertThat(rs.getString(1)).isEqualTo("still here");
			}
		}
	}

	@Test
	void aLostCredentialsFileIsNamedNotReplaced() throws Exception {
		EmbeddedDatabaseProperties properties = new EmbeddedDatabaseProperties(work.resolve("postgres"), 0, 2);
		start(properties).close();
		Path file = EmbeddedCredentials.fileFor(properties.dataDirectory().toAbsolutePath());
		Files.delete(file);
		assertThatThrownBy(() -> configuration.embeddedCredentials(properties))
			.isInstanceOf(IllegalStateException.class)
			.hasMessageContaining(file.toString());
		assertThat(file).doesNotExist();
	}

}
