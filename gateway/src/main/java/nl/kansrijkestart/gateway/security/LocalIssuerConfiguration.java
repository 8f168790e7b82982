package nl.kansrijkestart.gateway.security;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import nl.kansrijkestart.gateway.fhir.OperationOutcomes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.DependsOn;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.config.annotation.web.configurers.OAuth2AuthorizationServerConfigurer;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.AndRequestMatcher;
import org.springframework.security.web.util.matcher.NegatedRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * The local issuer for the embedded default: Spring Authorization Server with the client-credentials clients of
 * {@code gateway.security.local-issuer.clients}. Off as soon as an external issuer is configured. Its signing key is
 * kept in the database ({@link #localSigningKey}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${gateway.security.issuer-uri:}'.isBlank() and '${gateway.security.jwk-set-uri:}'.isBlank()")
public class LocalIssuerConfiguration {

	private static final Logger log = LoggerFactory.getLogger(LocalIssuerConfiguration.class);

	/** The key the local issuer signs with. */
	record SigningKey(RSAKey key) {
	}

	@Bean
	@Order(1)
	SecurityFilterChain localIssuerSecurity(HttpSecurity http) throws Exception {
		OAuth2AuthorizationServerConfigurer issuer = OAuth2AuthorizationServerConfigurer.authorizationServer();
		// Revocation and introspection are not offered: the gateway checks tokens by signature and expiry only, so a
		// revoked token would keep working for its (short) lifetime. Those paths fall to the API chain, which refuses them.
		RequestMatcher notOffered = new OrRequestMatcher(PathPatternRequestMatcher.withDefaults().matcher("/oauth2/revoke"),
				PathPatternRequestMatcher.withDefaults().matcher("/oauth2/introspect"));
		http.securityMatcher(new AndRequestMatcher(issuer.getEndpointsMatcher(), new NegatedRequestMatcher(notOffered)))
				.with(issuer, c -> {
				})
				.authorizeHttpRequests(a -> a.anyRequest().authenticated())
				.sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
				.exceptionHandling(e -> e.authenticationEntryPoint((request, response, ex) -> OperationOutcomes.write(response, 401,
						"login", "Client authentication is required")))
				.csrf(c -> c.ignoringRequestMatchers(issuer.getEndpointsMatcher()));
		return http.build();
	}

	/**
	 * One signing key for every instance on the database and across restarts: the first start stores it, the others
	 * read it, so a token from one instance is valid at another and survives a restart. It lives with the data it
	 * protects (production uses an external issuer, whose keys are its own).
	 */
	@Bean
	@DependsOn("flywayInitializer")
	SigningKey localSigningKey(JdbcTemplate jdbc) throws com.nimbusds.jose.JOSEException, java.text.ParseException {
		List<String> stored = jdbc.queryForList("select jwk from local_issuer_key where id = 1", String.class);
		if (stored.isEmpty()) {
			// generating a key takes up to a second of CPU: only when there is none (two first starts race: one wins)
			RSAKey candidate = new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
			jdbc.update("insert into local_issuer_key (id, jwk) values (1, ?) on conflict (id) do nothing", candidate.toJSONString());
			stored = jdbc.queryForList("select jwk from local_issuer_key where id = 1", String.class);
		}
		return new SigningKey(RSAKey.parse(stored.get(0)));
	}

	@Bean
	JWKSource<SecurityContext> localJwkSource(SigningKey key) {
		return new ImmutableJWKSet<>(new JWKSet(key.key()));
	}

	@Bean
	AuthorizationServerSettings authorizationServerSettings(SecurityProperties properties) {
		return AuthorizationServerSettings.builder().issuer(properties.localIssuer().issuer()).build();
	}

	@Bean
	RegisteredClientRepository registeredClients(SecurityProperties properties) {
		SecurityProperties.LocalIssuer local = properties.localIssuer();
		List<SecurityProperties.Client> clients = local.clients() == null ? List.of() : local.clients();
		if (clients.isEmpty()) {
			throw new IllegalStateException("The local token issuer is on (no gateway.security.issuer-uri or jwk-set-uri)"
					+ " but gateway.security.local-issuer.clients is empty");
		}
		// A secret configured in plain text is hashed only to be compared in constant time: a high bcrypt cost would
		// protect nothing the configuration does not already show, and costs a tenth of a second per client per start
		// and per token request.
		var encoder = new BCryptPasswordEncoder(BCryptPasswordEncoder.BCryptVersion.$2A, 4);
		List<RegisteredClient> registered = clients.stream().map(c -> {
			validate(c);
			String secret = c.clientSecret().startsWith("{") ? c.clientSecret() : "{bcrypt}" + encoder.encode(c.clientSecret());
			return RegisteredClient.withId(c.clientId())
					.clientId(c.clientId())
					.clientSecret(secret)
					.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
					.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST)
					.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
					.scopes(s -> s.addAll(c.scopes()))
					.tokenSettings(TokenSettings.builder().accessTokenTimeToLive(local.tokenLifetime()).build())
					.build();
		}).toList();
		log.warn("Local token issuer {} is on with {} client(s); configure gateway.security.issuer-uri for production",
				local.issuer(), registered.size());
		return new InMemoryRegisteredClientRepository(registered);
	}

	private static void validate(SecurityProperties.Client c) {
		if (c.clientId() == null || c.clientSecret() == null || c.scopes() == null || c.scopes().isEmpty()) {
			throw new IllegalStateException("Local issuer client " + c.clientId() + " needs client-id, client-secret and scopes");
		}
		if (OrganizationIdentifier.parse(c.organization()).isEmpty() || Role.fromClaim(c.role()).isEmpty()) {
			throw new IllegalStateException("Local issuer client " + c.clientId()
					+ " needs an organization (URA or AGB, system|value) and a role");
		}
	}

	/** Puts the claims the gateway needs into every token: audience, organisation, role, and scopes. */
	@Bean
	OAuth2TokenCustomizer<JwtEncodingContext> gatewayClaims(SecurityProperties properties) {
		Map<String, SecurityProperties.Client> byId = new HashMap<>();
		properties.localIssuer().clients().forEach(c -> byId.put(c.clientId(), c));
		return context -> {
			SecurityProperties.Client client = byId.get(context.getRegisteredClient().getClientId());
			context.getClaims()
					.audience(List.of(properties.audience()))
					.claim(properties.organizationClaim(), client.organization())
					.claim(properties.roleClaim(), client.role());
			if (context.getAuthorizedScopes().isEmpty()) {
				// SMART clients name their scopes; a plain curl without scope= gets all its client may have.
				context.getClaims().claim("scope", List.copyOf(context.getRegisteredClient().getScopes()));
			}
		};
	}
}
