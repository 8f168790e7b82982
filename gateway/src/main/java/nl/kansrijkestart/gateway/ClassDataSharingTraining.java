package nl.kansrijkestart.gateway;

import nl.kansrijkestart.gateway.ingest.ProfileValidator;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The build's training start for the class-data-sharing archive (gateway/pom.xml): it
 * runs until the server is ready and the validator warm, so the archive holds what a real
 * start loads, then closes the context (which stops the embedded PostgreSQL) and exits.
 * Spring's own {@code spring.context.exit=onRefresh} stops before either and leaves the
 * database server running.
 */
@Component
@ConditionalOnProperty("gateway.class-data-sharing-training")
class ClassDataSharingTraining {

	private final ProfileValidator validator;

	private final ApplicationContext context;

	ClassDataSharingTraining(ProfileValidator validator, ApplicationContext context) {
		this.validator = validator;
		this.context = context;
	}

	@EventListener(ApplicationReadyEvent.class)
	void exitWhenWarm() {
		validator.awaitReady();
		System.exit(SpringApplication.exit(context));
	}

}
