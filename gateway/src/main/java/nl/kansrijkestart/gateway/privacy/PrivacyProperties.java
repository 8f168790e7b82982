package nl.kansrijkestart.gateway.privacy;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code gateway.privacy}: the pseudonym secret and the retention policy. Without a
 * secret the embedded default generates one next to its data; with an external database
 * the secret must be configured.
 */
@ConfigurationProperties("gateway.privacy")
public record PrivacyProperties(String pseudonymSecret, @DefaultValue Retention retention) {

	/**
	 * Birth-care source data is purged {@code afterHandoverAcknowledged} after the
	 * postnatal handover was acknowledged, or {@code afterBirth} after the birth when no
	 * handover applies; {@code interval} is how often the purge runs.
	 */
	public record Retention(@DefaultValue("true") boolean enabled,
			@DefaultValue("P90D") Duration afterHandoverAcknowledged, @DefaultValue("P400D") Duration afterBirth,
			@DefaultValue("PT6H") Duration interval) {
	}
}
