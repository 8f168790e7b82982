package nl.kansrijkestart.gateway.support;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.OperationOutcome;

/** Plain HTTP against the running gateway: tests see exactly what a client sees. */
public final class FhirHttp {

	public static final String ORG_HEADER = "X-Submitting-Organization";
	public static final String ORG = "http://fhir.nl/fhir/NamingSystem/ura|90363101";
	public static final String JSON = "application/fhir+json";
	private static final FhirContext CTX = FhirContext.forR4Cached();

	private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
	private final String base;

	public FhirHttp(int port) {
		this.base = "http://localhost:" + port;
	}

	public record Response(int status, String body, java.net.http.HttpHeaders headers) {
		public <T extends IBaseResource> T as(Class<T> type) {
			var parser = body.stripLeading().startsWith("<") ? CTX.newXmlParser() : CTX.newJsonParser();
			return parser.parseResource(type, body);
		}

		public OperationOutcome outcome() {
			return as(OperationOutcome.class);
		}

		public String header(String name) {
			return headers.firstValue(name).orElse(null);
		}
	}

	public static String json(IBaseResource resource) {
		return CTX.newJsonParser().encodeResourceToString(resource);
	}

	public static String xml(IBaseResource resource) {
		return CTX.newXmlParser().encodeResourceToString(resource);
	}

	public Response get(String path, String... headers) {
		return send(HttpRequest.newBuilder(uri(path)).GET(), headers);
	}

	public Response post(String path, String body, String contentType, String... headers) {
		return send(withBody("POST", path, body, contentType), headers);
	}

	public Response put(String path, String body, String contentType, String... headers) {
		return send(withBody("PUT", path, body, contentType), headers);
	}

	/** A write as a birth-care system sends it, with its organisation header. */
	public Response submit(String path, String body) {
		return post(path, body, JSON, ORG_HEADER, ORG);
	}

	private HttpRequest.Builder withBody(String method, String path, String body, String contentType) {
		HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
		if (contentType != null) {
			b.header("Content-Type", contentType);
		}
		return b;
	}

	public Response send(HttpRequest.Builder builder, String... headers) {
		for (int i = 0; i + 1 < headers.length; i += 2) {
			builder.header(headers[i], headers[i + 1]);
		}
		try {
			HttpResponse<String> r = client.send(builder.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
			return new Response(r.statusCode(), r.body(), r.headers());
		} catch (IOException e) {
			throw new IllegalStateException(e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
	}

	private URI uri(String path) {
		return URI.create(base + path.replace("|", "%7C"));
	}
}
