package nl.kansrijkestart.gateway.security;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.http.RequestEntity;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.web.client.RestClientException;
import org.springframework.web.client.RestTemplate;

/**
 * Fetches the identity provider's keys (and discovery document) at most once per interval
 * per URL. Spring's decoder refetches the key set for every token whose key id it does
 * not know: without a bound, anonymous requests with random {@code kid}s make the gateway
 * hammer the identity provider. Within the interval the last answer is reused, so an
 * unknown key id is simply refused; a fetch that failed is retried by the next request.
 */
final class RateLimitedKeyFetch extends RestTemplate {

	private record Fetched(ResponseEntity<?> response, long atNanos) {
	}

	private final long intervalNanos;

	private final Map<String, Fetched> last = new ConcurrentHashMap<>();

	RateLimitedKeyFetch(Duration interval) {
		super(timeouts());
		this.intervalNanos = interval.toNanos();
	}

	private static SimpleClientHttpRequestFactory timeouts() {
		SimpleClientHttpRequestFactory factory = new SimpleClientHttpRequestFactory();
		factory.setConnectTimeout(Duration.ofSeconds(5));
		factory.setReadTimeout(Duration.ofSeconds(5));
		return factory;
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> ResponseEntity<T> exchange(RequestEntity<?> request, Class<T> responseType) throws RestClientException {
		String key = request.getMethod() + " " + request.getUrl() + " " + responseType.getName();
		Fetched previous = last.get(key);
		if (previous != null && System.nanoTime() - previous.atNanos() < intervalNanos) {
			return (ResponseEntity<T>) previous.response();
		}
		ResponseEntity<T> response = super.exchange(request, responseType);
		last.put(key, new Fetched(response, System.nanoTime()));
		return response;
	}

}
