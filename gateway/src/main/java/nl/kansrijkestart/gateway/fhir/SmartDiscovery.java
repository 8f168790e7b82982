package nl.kansrijkestart.gateway.fhir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import nl.kansrijkestart.gateway.security.OperationOutcomes;
import nl.kansrijkestart.gateway.security.SecurityProperties;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * SMART discovery (SMART App Launch 2.x, {@code [base]/.well-known/smart-configuration},
 * served at the FHIR base and at the root): where a client gets its token. The local
 * issuer's token endpoint is ours; an external issuer's comes from its OpenID Connect
 * discovery document, read when first asked and kept once read.
 */
@Component
class SmartDiscovery extends OncePerRequestFilter {

	static final List<String> PATHS = List.of("/.well-known/smart-configuration",
			"/fhir/.well-known/smart-configuration");

	private final SecurityProperties security;

	private final PublicBaseUrl base;

	private final ObjectMapper json = new ObjectMapper();

	private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

	private volatile Endpoints externalEndpoints;

	/**
	 * After a failed read, the next is tried no sooner than this (the CapabilityStatement
	 * asks too).
	 */
	private volatile long nextAttempt;

	SmartDiscovery(SecurityProperties security, PublicBaseUrl base) {
		this.security = security;
		this.base = base;
	}

	/**
	 * Where tokens are issued and where people sign in (authorization code with PKCE).
	 */
	record Endpoints(String token, String authorization) {
	}

	/**
	 * The issuer's endpoints, or empty when the external issuer's discovery document
	 * cannot be read now.
	 */
	Optional<Endpoints> endpoints() {
		if (!security.externalIssuer()) {
			String fhirBase = base.get();
			String origin = fhirBase.substring(0, fhirBase.length() - "/fhir".length());
			return Optional.of(new Endpoints(origin + "/oauth2/token", origin + "/oauth2/authorize"));
		}
		if (externalEndpoints == null && security.issuerUri() != null && !security.issuerUri().isBlank()
				&& System.nanoTime() - nextAttempt >= 0) {
			nextAttempt = System.nanoTime() + Duration.ofSeconds(30).toNanos();
			try {
				HttpResponse<String> r = client.send(HttpRequest
					.newBuilder(
							URI.create(security.issuerUri().replaceAll("/$", "") + "/.well-known/openid-configuration"))
					.timeout(Duration.ofSeconds(5))
					.GET()
					.build(), HttpResponse.BodyHandlers.ofString());
				JsonNode document = r.statusCode() == 200 ? json.readTree(r.body()) : null;
				if (document != null && document.path("token_endpoint").isTextual()
						&& document.path("authorization_endpoint").isTextual()) {
					externalEndpoints = new Endpoints(document.get("token_endpoint").asText(),
							document.get("authorization_endpoint").asText());
				}
			}
			catch (IOException | IllegalArgumentException e) {
				logger.warn("The issuer's discovery document could not be read: " + e.getMessage());
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
		}
		return Optional.ofNullable(externalEndpoints);
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return !PATHS.contains(request.getRequestURI());
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (!request.getMethod().equals("GET")) {
			OperationOutcomes.write(response, 405, "not-supported", "SMART discovery is read with GET");
			return;
		}
		Optional<Endpoints> endpoints = endpoints();
		if (endpoints.isEmpty()) {
			OperationOutcomes.write(response, 503, "transient",
					"The identity provider's discovery document could not be read; try again later");
			return;
		}
		Map<String, Object> configuration = new LinkedHashMap<>();
		configuration.put("authorization_endpoint", endpoints.get().authorization());
		configuration.put("token_endpoint", endpoints.get().token());
		// Systems by client credentials (system/ scopes); people sign in with the
		// authorization code and PKCE as public
		// clients (user/ scopes, the dashboard). SMART v1 and v2 scope syntax.
		configuration.put("grant_types_supported", List.of("client_credentials", "authorization_code"));
		configuration.put("token_endpoint_auth_methods_supported",
				List.of("client_secret_basic", "client_secret_post", "none"));
		configuration.put("code_challenge_methods_supported", List.of("S256"));
		configuration.put("scopes_supported", List.of("system/*.read", "system/*.write", "system/*.rs",
				"system/*.cruds", "user/*.read", "user/*.rs"));
		configuration.put("capabilities", List.of("client-confidential-symmetric", "client-public", "launch-standalone",
				"permission-user", "permission-v1", "permission-v2"));
		response.setStatus(200);
		response.setContentType("application/json");
		response.setHeader("Cache-Control", "public, max-age=3600");
		json.writeValue(response.getOutputStream(), configuration);
	}

}
