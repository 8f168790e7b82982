package nl.kansrijkestart.gateway.support;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nl.kansrijkestart.tools.AccessToken;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * Plain HTTP against the running gateway: tests see exactly what a client sees. Requests
 * carry a bearer token that the gateway's own issuer gave the chosen client
 * (application-test.yml), as a real client would get it.
 */
public final class FhirHttp {

	/** The organisation of the default client, vsv-a. */
	public static final String ORG = "http://fhir.nl/fhir/NamingSystem/ura|90363101";

	public static final String JSON = "application/fhir+json";

	public static final String TEST_SECRET = "test-secret";

	private static final FhirContext CTX = FhirContext.forR4Cached();

	private static final Map<String, AccessToken> TOKENS = new ConcurrentHashMap<>();

	private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	private final String base;

	private final String clientId;

	/** As the birth-care submitter vsv-a. */
	public FhirHttp(int port) {
		this("http://localhost:" + port, "vsv-a");
	}

	private FhirHttp(String base, String clientId) {
		this.base = base;
		this.clientId = clientId;
	}

	/**
	 * The same gateway, as another client of application-test.yml; null for no token at
	 * all.
	 */
	public FhirHttp as(String otherClientId) {
		return new FhirHttp(base, otherClientId);
	}

	/**
	 * A valid access token for a client, from POST /oauth2/token (client credentials),
	 * the way the tools get one.
	 */
	public String token(String id) {
		AccessToken token = TOKENS.computeIfAbsent(base + " " + id,
				k -> new AccessToken(client, base + "/oauth2/token", id, TEST_SECRET));
		try {
			return token.get();
		}
		catch (IOException e) {
			throw new IllegalStateException(e);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
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

	/** A write as a birth-care system sends it. */
	public Response submit(String path, String body) {
		return post(path, body, JSON);
	}

	/**
	 * Every BSN and name any test sent: none of them may appear in the log (LogScanTest).
	 */
	public static final Set<String> SENT_PERSONAL_DATA = ConcurrentHashMap.newKeySet();

	private static final Pattern BSN_JSON = Pattern
		.compile("NamingSystem/bsn\"\\s*,\\s*\"value\"\\s*:\\s*\"([0-9]{9})\"");

	private static final Pattern BSN_XML = Pattern.compile("NamingSystem/bsn\"/>\\s*<value value=\"([0-9]{9})\"");

	private static final Pattern BSN_URL = Pattern.compile("NamingSystem/bsn(?:\\||%7C)([0-9]{9})");

	private static final Pattern NAME_JSON = Pattern.compile("\"(?:family|given)\"\\s*:\\s*\\[?\\s*\"([^\"]{3,})\"");

	private static void remember(String body) {
		for (Pattern p : List.of(BSN_JSON, BSN_XML, BSN_URL, NAME_JSON)) {
			Matcher m = p.matcher(body);
			while (m.find()) {
				SENT_PERSONAL_DATA.add(m.group(1));
			}
		}
	}

	private HttpRequest.Builder withBody(String method, String path, String body, String contentType) {
		remember(body);
		HttpRequest.Builder b = HttpRequest.newBuilder(uri(path))
			.method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
		if (contentType != null) {
			b.header("Content-Type", contentType);
		}
		return b;
	}

	public Response send(HttpRequest.Builder builder, String... headers) {
		boolean authorization = false;
		for (int i = 0; i + 1 < headers.length; i += 2) {
			builder.header(headers[i], headers[i + 1]);
			authorization |= headers[i].equalsIgnoreCase("Authorization");
		}
		if (!authorization && clientId != null) {
			builder.header("Authorization", "Bearer " + token(clientId));
		}
		return exchange(builder);
	}

	private Response exchange(HttpRequest.Builder builder) {
		try {
			HttpResponse<String> r = client.send(builder.timeout(Duration.ofSeconds(60)).build(),
					HttpResponse.BodyHandlers.ofString());
			return new Response(r.statusCode(), r.body(), r.headers());
		}
		catch (IOException e) {
			throw new IllegalStateException(e);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
	}

	private URI uri(String path) {
		remember(path);
		return URI.create(base + path.replace("|", "%7C"));
	}

}
