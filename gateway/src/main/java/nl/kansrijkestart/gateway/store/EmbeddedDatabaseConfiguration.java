package nl.kansrijkestart.gateway.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * With no {@code spring.datasource.url}, the gateway runs its own PostgreSQL (real server binaries) whose
 * data directory survives restarts. With a URL, Spring Boot's own DataSource is used unchanged.
 *
 * <p>The embedded server is run as durably as an external one: fsync, synchronous commit and full-page writes on
 * (the library's defaults turn them off, so an acknowledged write could be lost in a crash). A server left running by
 * a killed gateway on the same data directory is stopped first, so one start always works. The library's own
 * shutdown hook is off: the server is stopped by Spring, after the web server has drained its requests.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${spring.datasource.url:}'.isEmpty()")
@EnableConfigurationProperties(EmbeddedDatabaseConfiguration.EmbeddedDatabaseProperties.class)
public class EmbeddedDatabaseConfiguration {

	private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabaseConfiguration.class);

	@ConfigurationProperties("gateway.embedded-database")
	public record EmbeddedDatabaseProperties(Path dataDirectory, int port, int maxPoolSize) {
		public EmbeddedDatabaseProperties {
			dataDirectory = dataDirectory == null ? Path.of("data", "postgres") : dataDirectory;
			maxPoolSize = maxPoolSize <= 0 ? 20 : maxPoolSize;
		}
	}

	@Bean(destroyMethod = "close")
	EmbeddedPostgres embeddedPostgres(EmbeddedDatabaseProperties properties) throws IOException {
		Path dir = properties.dataDirectory().toAbsolutePath();
		Files.createDirectories(dir);
		StaleServer.stopIfRunning(dir);
		log.info("Starting embedded PostgreSQL with data directory {}", dir);
		EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
				.setDataDirectory(dir)
				.setCleanDataDirectory(false)
				.setRegisterShutdownHook(false)
				.setServerConfig("max_connections", "100")
				.setServerConfig("fsync", "on")
				.setServerConfig("synchronous_commit", "on")
				.setServerConfig("full_page_writes", "on");
		if (properties.port() > 0) {
			builder.setPort(properties.port());
		}
		return builder.start();
	}

	@Bean
	EmbeddedDatabaseWatchdog embeddedDatabaseWatchdog(EmbeddedDatabaseProperties properties) {
		Path dir = properties.dataDirectory().toAbsolutePath();
		return new EmbeddedDatabaseWatchdog(() -> {
			try {
				return StaleServer.recorded(dir).isPresent();
			} catch (IOException e) {
				// an unreadable pid file is no proof of a crash
				return true;
			}
		}, status -> Runtime.getRuntime().halt(status));
	}

	@Bean(destroyMethod = "close")
	DataSource dataSource(EmbeddedPostgres postgres, EmbeddedDatabaseProperties properties,
			@Value("${spring.datasource.hikari.data-source-properties.options}") String sessionOptions,
			@Value("${spring.datasource.hikari.connection-timeout}") long connectionTimeoutMillis) {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
		// Server error details quote row values (a duplicate key names the BSN): keep them out of exceptions and logs.
		config.addDataSourceProperty("logServerErrorDetail", "false");
		// The same session settings as an external database gets (application.yml): plans, statement timeout.
		config.addDataSourceProperty("options", sessionOptions);
		config.setMaximumPoolSize(properties.maxPoolSize());
		config.setConnectionTimeout(connectionTimeoutMillis);
		config.setPoolName("embedded-postgres");
		return new HikariDataSource(config);
	}
}
