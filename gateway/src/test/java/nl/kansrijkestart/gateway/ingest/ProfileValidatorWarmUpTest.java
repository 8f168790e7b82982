package nl.kansrijkestart.gateway.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.Status;

/**
 * The validator is built after start-up (the server answers reads meanwhile); a write
 * before that waits.
 */
class ProfileValidatorWarmUpTest {

	@Test
	void aValidationBeforeTheWarmUpWaitsForItAndHealthTellsTheState() throws Exception {
		FhirContext ctx = FhirContext.forR4Cached();
		ProfileValidator validator = new ProfileValidator(ctx, new ProfileCatalog(ctx),
				new IngestProperties(1, 1, false));
		ValidatorHealthIndicator health = new ValidatorHealthIndicator(validator);

		assertThat(validator.state()).isEqualTo(ProfileValidator.State.WARMING);
		assertThat(health.health().getStatus()).isEqualTo(Status.UP);
		assertThat(health.health().getDetails()).containsEntry("state", ProfileValidator.State.WARMING);

		ValidationReport report = validator.validate("{\"resourceType\":\"Patient\"}".getBytes(StandardCharsets.UTF_8),
				ProfileValidator.Format.JSON, false, ProfileValidator.NOTHING_KNOWN);

		assertThat(report.issues()).isNotEmpty();
		assertThat(validator.state()).isEqualTo(ProfileValidator.State.READY);
		assertThat(health.health().getDetails()).containsEntry("state", ProfileValidator.State.READY);
	}

}
