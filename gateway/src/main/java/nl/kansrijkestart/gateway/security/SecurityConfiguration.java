package nl.kansrijkestart.gateway.security;

import com.nimbusds.jose.JOSEException;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.config.annotation.ObjectPostProcessor;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;
import org.springframework.web.client.RestOperations;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;

/**
 * Every request but the CapabilityStatement and the liveness probe carries a bearer JWT:
 * signed by the configured issuer (or the local one), unexpired, for our audience, naming
 * an organisation and a role. Failures answer 401 or 403 with an OperationOutcome. FHIR
 * interactions are then decided per type by {@link AccessPolicy}.
 */
@Configuration(proxyBeanMethods = false)
public class SecurityConfiguration {

	@Bean
	@Order(2)
	SecurityFilterChain apiSecurity(HttpSecurity http, JwtDecoder decoder, SecurityProperties properties,
			AccessPolicy policy) throws Exception {
		AuthenticationEntryPoint unauthenticated = entryPoint();
		AccessDeniedHandler denied = (request, response, e) -> OperationOutcomes.write(response, 403, "forbidden",
				"Access denied: " + e.getMessage());
		http.securityMatcher("/**")
			.authorizeHttpRequests(a -> a
				.requestMatchers(HttpMethod.GET, "/fhir/metadata", "/fhir/stu3/metadata", "/actuator/health",
						"/actuator/health/liveness", "/actuator/health/readiness")
				.permitAll()
				.requestMatchers("/error")
				.permitAll()
				// SMART discovery: where to get a token, before having one.
				.requestMatchers("/.well-known/smart-configuration", "/fhir/.well-known/smart-configuration")
				.permitAll()
				// The dashboard's page and code hold no data; what it shows comes from
				// the API with a token.
				.requestMatchers(HttpMethod.GET, "/monitoring", "/monitoring/", "/monitoring/index.html",
						"/monitoring/dashboard.js", "/monitoring/dashboard.css",
						"/webjars/echarts/*/dist/echarts.min.js")
				.permitAll()
				.requestMatchers("/fhir/**")
				.authenticated()
				.requestMatchers("/actuator/**", "/monitoring/**", "/inbound/**")
				.access(endpointAccess(policy))
				.anyRequest()
				.denyAll())
			.oauth2ResourceServer(
					o -> o.jwt(j -> j.decoder(decoder).jwtAuthenticationConverter(new CallerTokenConverter(properties)))
						.authenticationEntryPoint(unauthenticated)
						.accessDeniedHandler(denied)
						.withObjectPostProcessor(new ObjectPostProcessor<BearerTokenAuthenticationFilter>() {
							@Override
							public <O extends BearerTokenAuthenticationFilter> O postProcess(O filter) {
								filter.setAuthenticationFailureHandler(failure(unauthenticated));
								return filter;
							}
						}))
			.exceptionHandling(e -> e.authenticationEntryPoint(unauthenticated).accessDeniedHandler(denied))
			.sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.csrf(c -> c.disable())
			.requestCache(c -> c.disable())
			.headers(h -> h
				.contentSecurityPolicy(
						c -> c.policyDirectives("default-src 'self'; frame-ancestors 'none'; form-action 'self'"))
				.referrerPolicy(r -> r.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.NO_REFERRER)));
		List<String> origins = properties.cors().allowedOrigins();
		if (origins == null || origins.isEmpty()) {
			http.cors(c -> c.disable());
		}
		else {
			CorsConfiguration cors = new CorsConfiguration();
			cors.setAllowedOrigins(origins);
			cors.setAllowedMethods(List.of("GET", "POST", "PUT"));
			cors.setAllowedHeaders(List.of("Authorization", "Content-Type", "If-Match", "If-None-Exist", "Prefer"));
			cors.setExposedHeaders(List.of("Location", "ETag", "Content-Location"));
			UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
			source.registerCorsConfiguration("/**", cors);
			http.cors(c -> c.configurationSource(source));
		}
		return http.build();
	}

	private static AuthenticationEntryPoint entryPoint() {
		BearerTokenAuthenticationEntryPoint bearer = new BearerTokenAuthenticationEntryPoint();
		return (request, response, e) -> {
			bearer.commence(request, response, e);
			OperationOutcomes.write(response, 401, "login",
					e.getMessage() == null || e.getMessage().startsWith("Full authentication")
							? "A bearer token is required (OAuth2 client credentials)"
							: "The bearer token was refused: " + e.getMessage());
		};
	}

	/**
	 * A token that cannot be checked because the identity provider's keys are unreachable
	 * is not the client's fault: 503, so clients retry later. Every other failure is a
	 * bad token: 401.
	 */
	private static AuthenticationFailureHandler failure(AuthenticationEntryPoint unauthenticated) {
		return (request, response, e) -> {
			if (e instanceof AuthenticationServiceException) {
				response.setHeader("Retry-After", "30");
				OperationOutcomes.write(response, 503, "transient",
						"The token could not be checked now: the identity provider's"
								+ " keys are unavailable; try again later");
			}
			else {
				unauthenticated.commence(request, response, e);
			}
		};
	}

	private static AuthorizationManager<RequestAuthorizationContext> endpointAccess(AccessPolicy policy) {
		return (Supplier<Authentication> authentication, RequestAuthorizationContext context) -> {
			HttpServletRequest request = context.getRequest();
			return new AuthorizationDecision(authentication.get().getPrincipal() instanceof Caller caller && policy
				.decideEndpoint(caller, request.getRequestURI().substring(request.getContextPath().length()))
				.permitted());
		};
	}

	/**
	 * Verifies tokens of the external issuer (production) or of the local one. The
	 * issuer, audience and validity window are always checked, whichever signed the
	 * token.
	 */
	@Bean
	JwtDecoder jwtDecoder(SecurityProperties properties, ObjectProvider<LocalIssuerConfiguration.SigningKey> localKey)
			throws JOSEException {
		NimbusJwtDecoder decoder;
		String issuer;
		if (properties.externalIssuer()) {
			RestOperations keyFetch = new RateLimitedKeyFetch(properties.jwksMinRefetchInterval());
			decoder = properties.jwkSetUri() != null && !properties.jwkSetUri().isBlank()
					? NimbusJwtDecoder.withJwkSetUri(properties.jwkSetUri()).restOperations(keyFetch).build()
					: NimbusJwtDecoder.withIssuerLocation(properties.issuerUri()).restOperations(keyFetch).build();
			issuer = properties.issuerUri();
		}
		else {
			decoder = NimbusJwtDecoder.withPublicKey(localKey.getObject().key().toRSAPublicKey()).build();
			issuer = properties.localIssuer().issuer();
		}
		List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>();
		validators.add(EXPIRY_REQUIRED);
		validators.add(new JwtTimestampValidator(properties.clockSkew()));
		if (issuer != null && !issuer.isBlank()) {
			validators.add(new JwtIssuerValidator(issuer));
		}
		validators.add(audience(properties.audience()));
		decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(validators));
		return decoder;
	}

	/**
	 * The timestamp check passes a token without {@code exp}: such a token would never
	 * expire.
	 */
	private static final OAuth2TokenValidator<Jwt> EXPIRY_REQUIRED = jwt -> jwt.getExpiresAt() != null
			? OAuth2TokenValidatorResult.success() : OAuth2TokenValidatorResult
				.failure(new OAuth2Error("invalid_token", "The token has no expiry (exp)", null));

	private static OAuth2TokenValidator<Jwt> audience(String audience) {
		OAuth2Error error = new OAuth2Error("invalid_token", "The token is not meant for audience " + audience, null);
		return jwt -> jwt.getAudience() != null && jwt.getAudience().contains(audience)
				? OAuth2TokenValidatorResult.success() : OAuth2TokenValidatorResult.failure(error);
	}

}
