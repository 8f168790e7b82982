package nl.kansrijkestart.gateway.ingest;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param validatorPoolSize validators kept ready; validation is CPU-bound, so more than
 * the core count only queues
 * @param transactionRetries how often a transaction that lost a race with a concurrent
 * writer is recomputed
 * @param hapiValidatorOnly every new resource goes through HAPI's validator, also those
 * the compiled checker finds valid (for comparison; see docs/validation.md)
 */
@ConfigurationProperties("gateway.ingest")
public record IngestProperties(int validatorPoolSize, int transactionRetries, boolean hapiValidatorOnly) {

	public IngestProperties {
		validatorPoolSize = validatorPoolSize <= 0 ? Runtime.getRuntime().availableProcessors() : validatorPoolSize;
		transactionRetries = transactionRetries <= 0 ? 8 : transactionRetries;
	}
}
