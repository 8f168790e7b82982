package nl.kansrijkestart.gateway.fhir;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * @param maxRequestSize bodies above this are refused with 413 before any parsing
 * @param defaultPageSize search page size when _count is absent
 * @param maxPageSize the largest _count honoured
 * @param concurrentWrites write requests processed at once; more wait their turn. Ingest is CPU-bound
 *        (validation), and more parallel requests than cores only add contention (docs/benchmarks.md)
 */
@ConfigurationProperties("gateway.fhir")
public record FhirProperties(DataSize maxRequestSize, int defaultPageSize, int maxPageSize, int concurrentWrites) {

	public FhirProperties {
		concurrentWrites = concurrentWrites <= 0 ? Runtime.getRuntime().availableProcessors() : concurrentWrites;
		maxRequestSize = maxRequestSize == null ? DataSize.ofMegabytes(10) : maxRequestSize;
		defaultPageSize = defaultPageSize <= 0 ? 20 : defaultPageSize;
		maxPageSize = maxPageSize <= 0 ? 500 : maxPageSize;
	}
}
