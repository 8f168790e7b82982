package nl.kansrijkestart.gateway.consent;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code gateway.consent}: the monitoring policy, the external consent registry and how
 * consent changes are processed.
 *
 * @param monitoring {@code opt-in} (default: only those who permitted it are counted) or
 * {@code opt-out} (everyone who did not object); handover is always opt-in
 */
@ConfigurationProperties("gateway.consent")
public record ConsentProperties(@DefaultValue("opt-in") MonitoringPolicy monitoring, @DefaultValue Registry registry,
		@DefaultValue Changes changes) {

	/**
	 * The national consent registry (Mitz in production), searched as FHIR
	 * {@code Consent?patient:identifier=bsn|...}. No base URL: only consents recorded by
	 * birth-care systems count. Each lookup makes at most {@code attempts} requests of at
	 * most {@code timeout} each, {@code backoff} apart (doubling); answers are cached for
	 * {@code cacheTtl}, failures never. {@code sslBundle}: the Spring SSL bundle with the
	 * gateway's client certificate and the registry's CA (Mitz requires mutual TLS);
	 * none: the JVM's trust store, no client certificate.
	 */
	public record Registry(String baseUrl, @DefaultValue("1s") Duration connectTimeout,
			@DefaultValue("2s") Duration timeout, @DefaultValue("3") int attempts,
			@DefaultValue("200ms") Duration backoff, @DefaultValue("60s") Duration cacheTtl,
			@DefaultValue("10000") long cacheSize, String sslBundle) {

		public Registry {
			sslBundle = sslBundle == null || sslBundle.isBlank() ? null : sslBundle;
		}

		public boolean enabled() {
			return baseUrl != null && !baseUrl.isBlank();
		}
	}

	/** How often the queue of consent changes (withdrawals included) is polled. */
	public record Changes(@DefaultValue("500ms") Duration pollInterval) {
	}
}
