package nl.kansrijkestart.gateway.fhir;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * @param maxRequestSize bodies above this are refused with 413 before any parsing; a
 * compressed body is counted by its decompressed size
 * @param defaultPageSize search page size when _count is absent
 * @param maxPageSize the largest _count honoured
 * @param concurrentWrites write requests processed at once; more wait their turn. Ingest
 * is CPU-bound (validation), and more parallel requests than cores only add contention
 * (docs/benchmarks.md)
 * @param publicBaseUrl the FHIR base as clients reach it (e.g.
 * https://gateway.example.nl/fhir), for fullUrl, links and Location; never taken from the
 * request's Host header. Empty: http://localhost:{server.port}/fhir
 * @param limits what one request may cost, checked before parsing
 */
@ConfigurationProperties("gateway.fhir")
public record FhirProperties(DataSize maxRequestSize, int defaultPageSize, int maxPageSize, int concurrentWrites,
		String publicBaseUrl, Limits limits) {

	/**
	 * @param maxDepth deepest nesting of objects and arrays (JSON) or elements (XML)
	 * @param maxElements values, objects and arrays in one body
	 * @param maxArrayLength items of one array (repeats of one element in XML)
	 * @param maxParameters query parameters of one request, each value of an OR list
	 * (a,b,c) counted
	 * @param writeQueueTimeout how long a write waits for a free write slot before it is
	 * answered 503
	 * @param bodyReadTimeout how long the whole body may take to arrive (408 after it);
	 * it is read without holding a thread
	 */
	public record Limits(int maxDepth, int maxElements, int maxArrayLength, int maxParameters,
			Duration writeQueueTimeout, Duration bodyReadTimeout) {
		public Limits {
			maxDepth = maxDepth <= 0 ? 64 : maxDepth;
			maxElements = maxElements <= 0 ? 200_000 : maxElements;
			maxArrayLength = maxArrayLength <= 0 ? 10_000 : maxArrayLength;
			maxParameters = maxParameters <= 0 ? 100 : maxParameters;
			writeQueueTimeout = writeQueueTimeout == null ? Duration.ofSeconds(30) : writeQueueTimeout;
			bodyReadTimeout = bodyReadTimeout == null ? Duration.ofSeconds(30) : bodyReadTimeout;
		}
	}

	public FhirProperties {
		concurrentWrites = concurrentWrites <= 0 ? Runtime.getRuntime().availableProcessors() : concurrentWrites;
		maxRequestSize = maxRequestSize == null ? DataSize.ofMegabytes(10) : maxRequestSize;
		defaultPageSize = defaultPageSize <= 0 ? 20 : defaultPageSize;
		maxPageSize = maxPageSize <= 0 ? 500 : maxPageSize;
		limits = limits == null ? new Limits(0, 0, 0, 0, null, null) : limits;
		publicBaseUrl = publicBaseUrl == null || publicBaseUrl.isBlank() ? null
				: publicBaseUrl.endsWith("/") ? publicBaseUrl.substring(0, publicBaseUrl.length() - 1) : publicBaseUrl;
	}
}
