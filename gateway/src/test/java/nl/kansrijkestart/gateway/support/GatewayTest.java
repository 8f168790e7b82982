package nl.kansrijkestart.gateway.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.ContextConfiguration;

/**
 * The whole gateway on a random port with a real PostgreSQL: embedded (fresh data
 * directory per test run) or, with SPRING_DATASOURCE_URL set, the external server, whose
 * schema is then cleaned first. One shared context: a test class that adds configuration
 * of its own starts another gateway, so only those whose subject is that configuration
 * do.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "gateway.embedded-database.data-directory=target/test-postgres/${random.uuid}",
				"spring.flyway.clean-disabled=false" })
@ActiveProfiles("test")
@Import(CleanDatabaseConfiguration.class)
@ContextConfiguration(initializers = ExternalSystems.Initializer.class)
public @interface GatewayTest {

}
