package nl.kansrijkestart.gateway.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.flyway.FlywayConfigurationCustomizer;
import org.springframework.boot.autoconfigure.flyway.FlywayDataSource;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * With no {@code spring.datasource.url}, the gateway runs its own PostgreSQL (real server
 * binaries) whose data directory survives restarts. With a URL, Spring Boot's own
 * DataSource is used unchanged.
 *
 * <p>
 * The server listens on localhost only and every connection needs a password (generated
 * at the first start, {@link EmbeddedCredentials}). Migrations run as its superuser; the
 * gateway serves as {@value #APPLICATION_ROLE}, which owns nothing and may only append to
 * the audit trail (V13). A cluster of an earlier version (trust authentication, no
 * passwords) gets its passwords at its first start with this one, its data unchanged.
 *
 * <p>
 * The embedded server is run as durably as an external one: fsync, synchronous commit and
 * full-page writes on (the library's defaults turn them off, so an acknowledged write
 * could be lost in a crash). A server left running by a killed gateway on the same data
 * directory is stopped first, so one start always works. The library's own shutdown hook
 * is off: the server is stopped by Spring, after the web server has drained its requests.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${spring.datasource.url:}'.isEmpty()")
@EnableConfigurationProperties(EmbeddedDatabaseConfiguration.EmbeddedDatabaseProperties.class)
public class EmbeddedDatabaseConfiguration {

	private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabaseConfiguration.class);
	static final String APPLICATION_ROLE = "gateway_app";

	private static final String HBA_MARK = "# Kansrijke Start gateway: every connection needs a password";

	@ConfigurationProperties("gateway.embedded-database")
	public record EmbeddedDatabaseProperties(Path dataDirectory, int port, int maxPoolSize) {
		public EmbeddedDatabaseProperties {
			dataDirectory = dataDirectory == null ? Path.of("data", "postgres") : dataDirectory;
			maxPoolSize = maxPoolSize <= 0 ? 20 : maxPoolSize;
		}
	}

	@Bean
	EmbeddedCredentials embeddedCredentials(EmbeddedDatabaseProperties properties) throws IOException {
		Path dir = properties.dataDirectory().toAbsolutePath();
		Files.createDirectories(dir);
		Path file = EmbeddedCredentials.fileFor(dir);
		boolean clusterExists = Files.exists(dir.resolve("postgresql.conf"));
		if (clusterExists && !Files.exists(file) && passwordsRequired(dir)) {
			throw new IllegalStateException("The embedded PostgreSQL at " + dir + " requires passwords, but " + file
					+ " (where they are kept) is missing: restore it from the backup of the data directory");
		}
		return EmbeddedCredentials.loadOrCreate(file, clusterExists);
	}

	@Bean(destroyMethod = "close")
	EmbeddedPostgres embeddedPostgres(EmbeddedDatabaseProperties properties, EmbeddedCredentials credentials)
			throws IOException, SQLException {
		Path dir = properties.dataDirectory().toAbsolutePath();
		Files.createDirectories(dir);
		StaleServer.stopIfRunning(dir);
		boolean clusterExists = Files.exists(dir.resolve("postgresql.conf"));
		boolean passwordsSet = !clusterExists || passwordsRequired(dir);
		log.info("Starting embedded PostgreSQL with data directory {}", dir);
		EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
			.setDataDirectory(dir)
			.setCleanDataDirectory(false)
			.setRegisterShutdownHook(false)
			.setServerConfig("listen_addresses", "localhost")
			.setServerConfig("max_connections", "100")
			.setServerConfig("fsync", "on")
			.setServerConfig("synchronous_commit", "on")
			.setServerConfig("full_page_writes", "on")
			// the library's readiness check connects as the superuser, with the password
			// once one is required
			.setConnectConfig("password", credentials.superuserPassword());
		if (properties.port() > 0) {
			builder.setPort(properties.port());
		}
		if (passwordsSet) {
			builder.setDataDirectoryCustomizer(d -> writeClientAuthentication(d.toPath()));
		}
		Path passwordFile = null;
		if (!clusterExists) {
			// initdb sets the superuser's password from this file (the library passes
			// these settings on to initdb)
			passwordFile = Files.createTempFile(dir.getParent(), "initdb", ".pw",
					PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
			Files.writeString(passwordFile, credentials.superuserPassword());
			builder.setLocaleConfig("pwfile", passwordFile.toString());
		}
		EmbeddedPostgres postgres;
		try {
			postgres = builder.start();
		}
		finally {
			if (passwordFile != null) {
				Files.deleteIfExists(passwordFile);
			}
		}
		try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
			if (!passwordsSet) {
				log.warn(
						"The embedded PostgreSQL at {} accepted connections without a password: setting passwords ({})",
						dir, EmbeddedCredentials.fileFor(dir));
				s.execute("alter role postgres password '" + credentials.superuserPassword() + "'");
			}
			s.execute("do $$ begin if not exists (select from pg_roles where rolname = '" + APPLICATION_ROLE + "') then"
					+ " create role " + APPLICATION_ROLE + "; end if; end $$");
			s.execute("alter role " + APPLICATION_ROLE
					+ " login nosuperuser nocreatedb nocreaterole noinherit noreplication" + " nobypassrls password '"
					+ credentials.applicationPassword() + "'");
			if (!passwordsSet) {
				writeClientAuthentication(dir);
				s.execute("select pg_reload_conf()");
			}
		}
		catch (SQLException | RuntimeException e) {
			postgres.close();
			throw e;
		}
		return postgres;
	}

	/** Owner-only passwords over localhost and the socket; no trust, no other hosts. */
	private static void writeClientAuthentication(Path dataDirectory) {
		try {
			Files.writeString(dataDirectory.resolve("pg_hba.conf"),
					HBA_MARK + " (kept beside the data directory)\n" + "local all all scram-sha-256\n"
							+ "host  all all 127.0.0.1/32 scram-sha-256\n" + "host  all all ::1/128 scram-sha-256\n");
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	private static boolean passwordsRequired(Path dataDirectory) throws IOException {
		Path hba = dataDirectory.resolve("pg_hba.conf");
		return Files.exists(hba) && Files.readString(hba).startsWith(HBA_MARK);
	}

	/**
	 * Flyway migrates as the superuser; everything else gets the application role's pool
	 * (primary).
	 */
	@Bean(destroyMethod = "close")
	@FlywayDataSource
	HikariDataSource migrationDataSource(EmbeddedPostgres postgres, EmbeddedCredentials credentials) {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
		config.setPassword(credentials.superuserPassword());
		config.addDataSourceProperty("logServerErrorDetail", "false");
		config.setMaximumPoolSize(2);
		config.setMinimumIdle(0);
		config.setPoolName("embedded-postgres-migrations");
		return new HikariDataSource(config);
	}

	@Bean
	FlywayConfigurationCustomizer applicationRolePlaceholder() {
		return flyway -> DatabaseRoles.grantTo(flyway, APPLICATION_ROLE);
	}

	@Bean
	EmbeddedDatabaseWatchdog embeddedDatabaseWatchdog(EmbeddedDatabaseProperties properties) {
		Path dir = properties.dataDirectory().toAbsolutePath();
		return new EmbeddedDatabaseWatchdog(() -> {
			try {
				return StaleServer.recorded(dir).isPresent();
			}
			catch (IOException e) {
				// an unreadable pid file is no proof of a crash
				return true;
			}
		}, status -> Runtime.getRuntime().halt(status));
	}

	@Bean(destroyMethod = "close")
	@Primary
	DataSource dataSource(EmbeddedPostgres postgres, EmbeddedDatabaseProperties properties,
			EmbeddedCredentials credentials,
			@Value("${spring.datasource.hikari.data-source-properties.options}") String sessionOptions,
			@Value("${spring.datasource.hikari.connection-timeout}") long connectionTimeoutMillis) {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(postgres.getJdbcUrl(APPLICATION_ROLE, "postgres"));
		config.setPassword(credentials.applicationPassword());
		// Server error details quote row values (a duplicate key names the BSN): keep
		// them out of exceptions and logs.
		config.addDataSourceProperty("logServerErrorDetail", "false");
		// The same session settings as an external database gets (application.yml):
		// plans, statement timeout, multi-row inserts for batches.
		config.addDataSourceProperty("options", sessionOptions);
		config.addDataSourceProperty("reWriteBatchedInserts", "true");
		config.setMaximumPoolSize(properties.maxPoolSize());
		config.setConnectionTimeout(connectionTimeoutMillis);
		config.setPoolName("embedded-postgres");
		return new HikariDataSource(config);
	}

}
