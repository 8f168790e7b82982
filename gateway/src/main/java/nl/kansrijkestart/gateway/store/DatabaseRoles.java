package nl.kansrijkestart.gateway.store;

import java.util.HashMap;
import java.util.Map;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.flyway.FlywayConfigurationCustomizer;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Two database roles: the owner runs the migrations ({@code spring.flyway.user}), the
 * gateway serves as an application role that owns nothing
 * ({@code spring.datasource.username}); V13 grants it what serving needs and no more (the
 * audit trail and the consent decisions: insert and select only). Served as the owner or
 * a superuser, the audit trail is not protected from the gateway's own credentials: that
 * is reported at every start.
 */
@Configuration(proxyBeanMethods = false)
public class DatabaseRoles {

	private static final Logger log = LoggerFactory.getLogger(DatabaseRoles.class);
	static final String PLACEHOLDER = "application_role";

	/**
	 * Sets the role V13 grants to; {@code ""} (or the migrating role itself) grants
	 * nothing.
	 */
	static void grantTo(FluentConfiguration flyway, String role) {
		Map<String, String> placeholders = new HashMap<>(flyway.getPlaceholders());
		placeholders.put(PLACEHOLDER, role);
		flyway.placeholders(placeholders);
	}

	@Bean
	@ConditionalOnExpression("!'${spring.datasource.url:}'.isEmpty()")
	FlywayConfigurationCustomizer externalApplicationRole(Environment environment) {
		return flyway -> grantTo(flyway, environment.getProperty("spring.datasource.username", ""));
	}

	@EventListener(ApplicationReadyEvent.class)
	void reportServingRole(ApplicationReadyEvent ready) {
		JdbcTemplate jdbc = ready.getApplicationContext().getBean(JdbcTemplate.class);
		Boolean privileged = jdbc.queryForObject(
				"select r.rolsuper or exists (select from pg_class c where c.relowner = r.oid"
						+ " and c.relname = 'audit_event') from pg_roles r where r.rolname = current_user",
				Boolean.class);
		if (Boolean.TRUE.equals(privileged)) {
			log.warn(
					"The gateway serves as database role {}, a superuser or the owner of its tables: the audit trail is not"
							+ " protected from it. Migrate as the owner (spring.flyway.user) and serve as an application role"
							+ " (docs/operations.md)",
					jdbc.queryForObject("select current_user", String.class));
		}
	}

}
