package nl.kansrijkestart.gateway.support;

import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.flyway.FlywayDataSource;
import org.springframework.boot.autoconfigure.flyway.FlywayMigrationStrategy;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Tests start from an empty schema, also on a reused external database. There, the
 * previous test context is closed only once this one has started (spring.properties keeps
 * one), so its pollers may still hold locks on the tables being dropped: a clean that
 * loses a deadlock to them is tried again.
 *
 * <p>
 * {@link OwnerJdbc} is the migrating role's connection, for the few tests that change the
 * schema (the gateway's own connection cannot).
 */
@TestConfiguration(proxyBeanMethods = false)
public class CleanDatabaseConfiguration {

	@Bean
	FlywayMigrationStrategy cleanThenMigrate() {
		return flyway -> {
			for (int attempt = 1;; attempt++) {
				try {
					flyway.clean();
					flyway.migrate();
					return;
				}
				catch (RuntimeException e) {
					if (attempt == 5) {
						throw e;
					}
					try {
						Thread.sleep(200L * attempt);
					}
					catch (InterruptedException interrupted) {
						Thread.currentThread().interrupt();
						throw e;
					}
				}
			}
		};
	}

	/**
	 * The schema owner's JdbcTemplate: the embedded superuser, the external
	 * {@code spring.flyway.user}, else the gateway's.
	 */
	public record OwnerJdbc(JdbcTemplate jdbc) {
	}

	@Bean
	OwnerJdbc ownerJdbc(@FlywayDataSource ObjectProvider<DataSource> migrations, DataSource serving, Environment env) {
		DataSource owner = migrations.getIfAvailable(() -> {
			String user = env.getProperty("spring.flyway.user");
			if (user == null) {
				return serving;
			}
			return new DriverManagerDataSource(
					env.getProperty("spring.flyway.url", env.getProperty("spring.datasource.url")), user,
					env.getProperty("spring.flyway.password", ""));
		});
		return new OwnerJdbc(new JdbcTemplate(owner));
	}

}
