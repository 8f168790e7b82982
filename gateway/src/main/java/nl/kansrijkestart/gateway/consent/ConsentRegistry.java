package nl.kansrijkestart.gateway.consent;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.StrictErrorHandler;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ssl.SslBundles;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The external consent registry, searched by BSN over FHIR REST. Every failure (timeout,
 * refused or reset connection, a non-200 answer, a body that is not a searchset Bundle of
 * readable Consents) is retried a bounded number of times and then reported as
 * unavailable, never as "no consent". Successful answers are cached briefly; failures are
 * not, so the next decision asks again.
 */
@Component
class ConsentRegistry {

	private static final Logger log = LoggerFactory.getLogger(ConsentRegistry.class);

	private static final String BSN_SYSTEM = "http://fhir.nl/fhir/NamingSystem/bsn";

	private static final int MAX_PAGES = 10;

	/**
	 * What the registry said about one person: its consents, or why it could not be
	 * asked.
	 */
	record Answer(List<ConsentStatement> statements, String failure) {
		boolean available() {
			return failure == null;
		}
	}

	private final ConsentProperties.Registry properties;

	private final FhirContext fhirContext;

	private final HttpClient client;

	private final Cache<String, List<ConsentStatement>> cache;

	private final MeterRegistry meters;

	ConsentRegistry(ConsentProperties properties, FhirContext fhirContext, MeterRegistry meters, SslBundles sslBundles,
			@Value("${gateway.production:false}") boolean production) {
		this.properties = properties.registry();
		this.fhirContext = fhirContext;
		this.meters = meters;
		if (production && this.properties.enabled() && !this.properties.baseUrl().startsWith("https://")) {
			throw new IllegalStateException(
					"gateway.consent.registry.base-url must be https in production (gateway.production): "
							+ this.properties.baseUrl());
		}
		HttpClient.Builder client = HttpClient.newBuilder()
			.connectTimeout(this.properties.connectTimeout())
			.followRedirects(HttpClient.Redirect.NEVER);
		if (this.properties.sslBundle() != null) {
			client.sslContext(sslBundles.getBundle(this.properties.sslBundle()).createSslContext());
		}
		this.client = client.build();
		this.cache = Caffeine.newBuilder()
			.expireAfterWrite(this.properties.cacheTtl())
			.maximumSize(this.properties.cacheSize())
			.build();
	}

	boolean enabled() {
		return properties.enabled();
	}

	Answer consentsOf(String bsn) {
		List<ConsentStatement> cached = cache.getIfPresent(bsn);
		if (cached != null) {
			return new Answer(cached, null);
		}
		String failure = null;
		long backoff = properties.backoff().toMillis();
		for (int attempt = 1; attempt <= Math.max(1, properties.attempts()); attempt++) {
			try {
				List<ConsentStatement> statements = search(bsn);
				cache.put(bsn, statements);
				meters.counter("gateway.consent.registry.lookups", "outcome", "answered").increment();
				return new Answer(statements, null);
			}
			catch (RegistryFailure e) {
				failure = e.getMessage();
				log.warn("Consent registry lookup failed (attempt {} of {}): {}", attempt, properties.attempts(),
						failure);
			}
			if (attempt < properties.attempts() && !pause(backoff)) {
				break;
			}
			backoff *= 2;
		}
		meters.counter("gateway.consent.registry.lookups", "outcome", "unavailable").increment();
		return new Answer(List.of(), failure);
	}

	/**
	 * Forgets what the registry said about a person, e.g. after its notification of a
	 * change.
	 */
	void forget(String bsn) {
		cache.invalidate(bsn);
	}

	private List<ConsentStatement> search(String bsn) {
		String base = properties.baseUrl().replaceAll("/+$", "");
		URI next = URI.create(base + "/Consent?patient:identifier="
				+ URLEncoder.encode(BSN_SYSTEM + "|" + bsn, StandardCharsets.UTF_8));
		List<ConsentStatement> statements = new ArrayList<>();
		for (int page = 0; next != null; page++) {
			if (page == MAX_PAGES) {
				throw new RegistryFailure("more than " + MAX_PAGES + " pages of consents");
			}
			Bundle bundle = fetch(next);
			for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
				if (entry.getResource() instanceof Consent consent) {
					statements.add(statement(consent, entry, base, bsn));
				}
				else if (!(entry.getResource() instanceof OperationOutcome)) {
					throw new RegistryFailure("the answer holds a "
							+ (entry.hasResource() ? entry.getResource().fhirType() : "empty entry"));
				}
			}
			String link = bundle.getLink(Bundle.LINK_NEXT) == null ? null : bundle.getLink(Bundle.LINK_NEXT).getUrl();
			// Follow only the registry's own pages: a next link elsewhere would send the
			// BSN to whoever it names.
			if (link != null && !link.startsWith(base + "/") && !link.startsWith(base + "?")) {
				throw new RegistryFailure("the next page is not on the registry");
			}
			next = link == null ? null : URI.create(link);
		}
		return statements;
	}

	private ConsentStatement statement(Consent consent, Bundle.BundleEntryComponent entry, String base, String bsn) {
		Identifier patient = consent.getPatient().getIdentifier();
		if (BSN_SYSTEM.equals(patient.getSystem()) && !bsn.equals(patient.getValue())) {
			throw new RegistryFailure("the answer holds a consent of another person");
		}
		String reference = entry.hasFullUrl() ? entry.getFullUrl()
				: base + "/Consent/" + consent.getIdElement().getIdPart();
		try {
			return ConsentStatements.of(consent, reference, ConsentStatement.Source.REGISTRY);
		}
		catch (ConsentStatements.MalformedConsentException e) {
			throw new RegistryFailure("unreadable consent: " + e.getMessage());
		}
	}

	private Bundle fetch(URI uri) {
		HttpRequest request = HttpRequest.newBuilder(uri)
			.timeout(properties.timeout())
			.header("Accept", "application/fhir+json")
			.GET()
			.build();
		CompletableFuture<HttpResponse<String>> call = client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
		HttpResponse<String> response;
		try {
			// Bounds the whole exchange, body included: a registry that trickles its
			// answer is as good as down.
			response = call.get(properties.timeout().toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (TimeoutException e) {
			call.cancel(true);
			throw new RegistryFailure("no answer within " + properties.timeout());
		}
		catch (ExecutionException e) {
			Throwable cause = e.getCause();
			throw new RegistryFailure(
					cause instanceof IOException ? "connection failed (" + cause.getClass().getSimpleName() + ")"
							: "request failed (" + cause.getClass().getSimpleName() + ")");
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new RegistryFailure("interrupted");
		}
		if (response.statusCode() != 200) {
			throw new RegistryFailure("HTTP " + response.statusCode());
		}
		IParser parser = fhirContext.newJsonParser().setParserErrorHandler(new StrictErrorHandler());
		Bundle bundle;
		try {
			bundle = parser.parseResource(Bundle.class, response.body());
		}
		catch (RuntimeException e) {
			throw new RegistryFailure("the answer is not a FHIR Bundle");
		}
		if (bundle.getType() != Bundle.BundleType.SEARCHSET) {
			throw new RegistryFailure("the answer is a " + bundle.getType() + " Bundle, not a searchset");
		}
		return bundle;
	}

	private static boolean pause(long millis) {
		try {
			Thread.sleep(millis);
			return true;
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	private static final class RegistryFailure extends RuntimeException {

		RegistryFailure(String message) {
			super(message, null, false, false);
		}

	}

}
