package nl.kansrijkestart.gateway.handover;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code gateway.handover}: where the routing table comes from, how often new data is
 * looked at, and how documents are pushed.
 *
 * @param routingFile a Spring resource location of the municipality → JGZ organisation
 * table (CSV)
 */
@ConfigurationProperties("gateway.handover")
public record HandoverProperties(@DefaultValue("classpath:mappings/jgz-routing.csv") String routingFile,
		@DefaultValue("100ms") Duration pollInterval, @DefaultValue Delivery delivery) {

	/**
	 * Push delivery: at most {@code maxAttempts} POSTs per document, the first retry
	 * after {@code initialBackoff}, doubling up to {@code maxBackoff}; each POST may take
	 * {@code timeout} (unless the routing table gives its endpoint its own). At most
	 * {@code concurrency} POSTs are in flight per instance, and at most
	 * {@code perEndpoint} to one JGZ endpoint, so a stalling endpoint cannot hold up the
	 * others. {@code sslBundle} names the Spring SSL bundle ({@code spring.ssl.bundle.*})
	 * whose key is the gateway's client certificate for mutual TLS and whose trust store
	 * holds the endpoints' CAs; none: the JVM's trust store, no client certificate.
	 */
	public record Delivery(@DefaultValue("100ms") Duration pollInterval, @DefaultValue("10") int maxAttempts,
			@DefaultValue("2s") Duration initialBackoff, @DefaultValue("10m") Duration maxBackoff,
			@DefaultValue("5s") Duration timeout, @DefaultValue("8") int concurrency,
			@DefaultValue("1") int perEndpoint, String sslBundle) {

		public Delivery {
			sslBundle = sslBundle == null || sslBundle.isBlank() ? null : sslBundle;
		}
	}
}
