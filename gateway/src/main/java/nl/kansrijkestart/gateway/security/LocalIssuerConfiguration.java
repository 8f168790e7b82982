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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.DependsOn;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.util.matcher.AnyRequestMatcher;
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
 * The local issuer for the embedded default: Spring Authorization Server with the
 * client-credentials clients of {@code gateway.security.local-issuer.clients}, and for
 * its {@code users} a sign-in form ({@code /login}) and the authorization code with PKCE
 * to the dashboard's public client. Off as soon as an external issuer is configured. Its
 * signing key is kept in the database ({@link #localSigningKey}). A session exists only
 * between the sign-in form and the authorization code: the API itself stays stateless.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${gateway.security.issuer-uri:}'.isBlank() and '${gateway.security.jwk-set-uri:}'.isBlank()")
public class LocalIssuerConfiguration {

	private static final Logger log = LoggerFactory.getLogger(LocalIssuerConfiguration.class);

	/** The key the local issuer signs with. */
	record SigningKey(RSAKey key) {
	}

	@Bean
	@Order(0)
	SecurityFilterChain localIssuerSecurity(HttpSecurity http) throws Exception {
		OAuth2AuthorizationServerConfigurer issuer = OAuth2AuthorizationServerConfigurer.authorizationServer();
		// Revocation and introspection are not offered: the gateway checks tokens by
		// signature and expiry only, so a
		// revoked token would keep working for its (short) lifetime. Those paths fall to
		// the API chain, which refuses them.
		RequestMatcher notOffered = new OrRequestMatcher(
				PathPatternRequestMatcher.withDefaults().matcher("/oauth2/revoke"),
				PathPatternRequestMatcher.withDefaults().matcher("/oauth2/introspect"));
		http.securityMatcher(new AndRequestMatcher(issuer.getEndpointsMatcher(), new NegatedRequestMatcher(notOffered)))
			.with(issuer, c -> {
			})
			.authorizeHttpRequests(a -> a.anyRequest().authenticated())
			// a person asking for a code signs in first; a client without credentials
			// gets a 401
			.exceptionHandling(e -> e
				.defaultAuthenticationEntryPointFor(new LoginUrlAuthenticationEntryPoint("/login"),
						PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.GET, "/oauth2/authorize"))
				.defaultAuthenticationEntryPointFor((request, response, ex) -> OperationOutcomes.write(response, 401,
						"login", "Client authentication is required"), AnyRequestMatcher.INSTANCE))
			.csrf(c -> c.ignoringRequestMatchers(issuer.getEndpointsMatcher()));
		return http.build();
	}

	/**
	 * The sign-in form (Spring Security's own page, CSRF-protected) for the
	 * authorization-code flow.
	 */
	@Bean
	@Order(1)
	SecurityFilterChain signInSecurity(HttpSecurity http) throws Exception {
		http.securityMatcher("/login")
			.authorizeHttpRequests(a -> a.anyRequest().permitAll())
			.formLogin(Customizer.withDefaults());
		return http.build();
	}

	@Bean
	UserDetailsService localUsers(SecurityProperties properties) {
		List<SecurityProperties.User> users = properties.localIssuer().users() == null ? List.of()
				: properties.localIssuer().users();
		var encoder = new BCryptPasswordEncoder(BCryptPasswordEncoder.BCryptVersion.$2A, 10);
		return new InMemoryUserDetailsManager(users.stream().map(u -> {
			if (u.username() == null || u.password() == null || OrganizationIdentifier.parse(u.organization()).isEmpty()
					|| Role.fromClaim(u.role()).isEmpty()) {
				throw new IllegalStateException(
						"Local issuer user " + u.username() + " needs username, password, organization and role");
			}
			return User.withUsername(u.username())
				.password("{bcrypt}" + encoder.encode(u.password()))
				.roles("USER")
				.build();
		}).toList());
	}

	/**
	 * One signing key for every instance on the database and across restarts: the first
	 * start stores it, the others read it, so a token from one instance is valid at
	 * another and survives a restart. It lives with the data it protects (production uses
	 * an external issuer, whose keys are its own).
	 */
	@Bean
	@DependsOn("flywayInitializer")
	SigningKey localSigningKey(JdbcTemplate jdbc) throws com.nimbusds.jose.JOSEException, java.text.ParseException {
		List<String> stored = jdbc.queryForList("select jwk from local_issuer_key where id = 1", String.class);
		if (stored.isEmpty()) {
			// generating a key takes up to a second of CPU: only when there is none (two
			// first starts race: one wins)
			RSAKey candidate = new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
			jdbc.update("insert into local_issuer_key (id, jwk) values (1, ?) on conflict (id) do nothing",
					candidate.toJSONString());
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
	RegisteredClientRepository registeredClients(SecurityProperties properties, Environment environment) {
		SecurityProperties.LocalIssuer local = properties.localIssuer();
		List<SecurityProperties.Client> clients = local.clients() == null ? List.of() : local.clients();
		if (clients.isEmpty()) {
			throw new IllegalStateException(
					"The local token issuer is on (no gateway.security.issuer-uri or jwk-set-uri)"
							+ " but gateway.security.local-issuer.clients is empty");
		}
		// A secret configured in plain text is hashed only to be compared in constant
		// time: a high bcrypt cost would
		// protect nothing the configuration does not already show, and costs a tenth of a
		// second per client per start
		// and per token request.
		var encoder = new BCryptPasswordEncoder(BCryptPasswordEncoder.BCryptVersion.$2A, 4);
		List<RegisteredClient> registered = clients.stream().map(c -> {
			validate(c);
			String secret = c.clientSecret().startsWith("{") ? c.clientSecret()
					: "{bcrypt}" + encoder.encode(c.clientSecret());
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
		SecurityProperties.Dashboard dashboard = local.dashboard();
		boolean dashboardClient = local.users() != null && !local.users().isEmpty() && dashboard.redirectUris() != null
				&& !dashboard.redirectUris().isEmpty();
		log.warn(
				"Local token issuer {} is on with {} client(s) and {} user(s); configure gateway.security.issuer-uri for production",
				local.issuer(), registered.size(), local.users() == null ? 0 : local.users().size());
		InMemoryRegisteredClientRepository confidential = new InMemoryRegisteredClientRepository(registered);
		if (!dashboardClient) {
			return confidential;
		}
		return new RegisteredClientRepository() {
			@Override
			public void save(RegisteredClient client) {
				// the issuer re-saves a client whose secret hash it upgrades; the public
				// client has no secret
				confidential.save(client);
			}

			@Override
			public RegisteredClient findById(String id) {
				return id.equals(dashboard.clientId()) ? dashboardClient(dashboard, local, environment)
						: confidential.findById(id);
			}

			@Override
			public RegisteredClient findByClientId(String clientId) {
				return clientId.equals(dashboard.clientId()) ? dashboardClient(dashboard, local, environment)
						: confidential.findByClientId(clientId);
			}
		};
	}

	/**
	 * The dashboard's public client: no secret, PKCE required, no consent screen. A
	 * redirect URI on port 0 (from {@code server.port=0}) names the port the server was
	 * given, known only once it listens.
	 */
	private static RegisteredClient dashboardClient(SecurityProperties.Dashboard dashboard,
			SecurityProperties.LocalIssuer local, Environment environment) {
		String port = environment.getProperty("local.server.port", "0");
		return RegisteredClient.withId(dashboard.clientId())
			.clientId(dashboard.clientId())
			.clientAuthenticationMethod(ClientAuthenticationMethod.NONE)
			.authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
			.redirectUris(r -> dashboard.redirectUris()
				.forEach(uri -> r.add(uri.replaceFirst("^(https?://[^/:]+):0/", "$1:" + port + "/"))))
			.scopes(sc -> sc.addAll(dashboard.scopes()))
			.clientSettings(ClientSettings.builder().requireProofKey(true).requireAuthorizationConsent(false).build())
			.tokenSettings(TokenSettings.builder().accessTokenTimeToLive(local.tokenLifetime()).build())
			.build();
	}

	private static void validate(SecurityProperties.Client c) {
		if (c.clientId() == null || c.clientSecret() == null || c.scopes() == null || c.scopes().isEmpty()) {
			throw new IllegalStateException(
					"Local issuer client " + c.clientId() + " needs client-id, client-secret and scopes");
		}
		if (OrganizationIdentifier.parse(c.organization()).isEmpty() || Role.fromClaim(c.role()).isEmpty()) {
			throw new IllegalStateException("Local issuer client " + c.clientId()
					+ " needs an organization (URA or AGB, system|value) and a role");
		}
	}

	/**
	 * Puts the claims the gateway needs into every token: audience, organisation, role
	 * (the client's, or for a signed-in person the user's), and scopes.
	 */
	@Bean
	OAuth2TokenCustomizer<JwtEncodingContext> gatewayClaims(SecurityProperties properties) {
		Map<String, String[]> byClient = new HashMap<>();
		properties.localIssuer()
			.clients()
			.forEach(c -> byClient.put(c.clientId(), new String[] { c.organization(), c.role() }));
		Map<String, String[]> byUser = new HashMap<>();
		if (properties.localIssuer().users() != null) {
			properties.localIssuer()
				.users()
				.forEach(u -> byUser.put(u.username(), new String[] { u.organization(), u.role() }));
		}
		return context -> {
			String[] who = AuthorizationGrantType.AUTHORIZATION_CODE.equals(context.getAuthorizationGrantType())
					? byUser.get(context.getPrincipal().getName())
					: byClient.get(context.getRegisteredClient().getClientId());
			if (who == null) {
				throw new IllegalStateException("No organisation and role for " + context.getPrincipal().getName());
			}
			context.getClaims()
				.audience(List.of(properties.audience()))
				.claim(properties.organizationClaim(), who[0])
				.claim(properties.roleClaim(), who[1])
				// the client beside the person (sub), as the audit trail records both
				.claim("client_id", context.getRegisteredClient().getClientId());
			if (context.getAuthorizedScopes().isEmpty()) {
				// SMART clients name their scopes; a plain curl without scope= gets all
				// its client may have.
				context.getClaims().claim("scope", List.copyOf(context.getRegisteredClient().getScopes()));
			}
		};
	}

}
