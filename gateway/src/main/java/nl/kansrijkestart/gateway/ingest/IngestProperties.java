package nl.kansrijkestart.gateway.ingest;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param validatorPoolSize validators kept ready; validation is CPU-bound, so more than
 * the core count only queues
 * @param transactionRetries how often a transaction that lost a race with a concurrent
 * writer is recomputed
 */
@ConfigurationProperties("gateway.ingest")
public record IngestProperties(int validatorPoolSize, int transactionRetries) {

	public IngestProperties {
		validatorPoolSize = validatorPoolSize <= 0 ? Runtime.getRuntime().availableProcessors() : validatorPoolSize;
		transactionRetries = transactionRetries <= 0 ? 8 : transactionRetries;
	}
}
