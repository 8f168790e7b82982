package nl.kansrijkestart.gateway.support;

import org.springframework.boot.autoconfigure.flyway.FlywayMigrationStrategy;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Tests start from an empty schema, also on a reused external database. There, the previous test context is closed
 * only once this one has started (spring.properties keeps one), so its pollers may still hold locks on the tables
 * being dropped: a clean that loses a deadlock to them is tried again.
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
				} catch (RuntimeException e) {
					if (attempt == 5) {
						throw e;
					}
					try {
						Thread.sleep(200L * attempt);
					} catch (InterruptedException interrupted) {
						Thread.currentThread().interrupt();
						throw e;
					}
				}
			}
		};
	}
}
