package nl.kansrijkestart.gateway.ingest;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The gateway serves reads while the validator still warms up (writes wait for it), so
 * warming is healthy; a validator that could not be built means no write can ever be
 * accepted, and the instance is down.
 */
@Component
class ValidatorHealthIndicator implements HealthIndicator {

	private final ProfileValidator validator;

	ValidatorHealthIndicator(ProfileValidator validator) {
		this.validator = validator;
	}

	@Override
	public Health health() {
		ProfileValidator.State state = validator.state();
		return (state == ProfileValidator.State.FAILED ? Health.down() : Health.up()).withDetail("state", state)
			.build();
	}

}
