package nl.kansrijkestart.gateway.monitoring;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code gateway.monitoring}: {@code suppressionThreshold} is k: every count from 1 to
 * k−1 is suppressed (with complementary suppression); {@code pollInterval} is how often
 * fact refresh requests are taken; {@code
 * controlStaleness} is how long a year's controlled table may be served after it was last
 * found current, while it is checked and remade in the background (zero: every answer
 * checks the counts first).
 */
@ConfigurationProperties("gateway.monitoring")
public record MonitoringProperties(@DefaultValue("5") int suppressionThreshold,
		@DefaultValue("200ms") Duration pollInterval, @DefaultValue("60s") Duration controlStaleness) {

	public MonitoringProperties {
		if (suppressionThreshold < 2) {
			throw new IllegalArgumentException("gateway.monitoring.suppression-threshold must be at least 2");
		}
	}
}
