package nl.kansrijkestart.gateway.security;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;

/**
 * Turns a verified JWT into the {@link Caller}: a token without a valid organisation or
 * role is refused (401), so every authenticated request has an organisation to confine it
 * and a role to decide on.
 */
class CallerTokenConverter implements Converter<Jwt, AbstractAuthenticationToken> {

	private final SecurityProperties properties;

	CallerTokenConverter(SecurityProperties properties) {
		this.properties = properties;
	}

	@Override
	public AbstractAuthenticationToken convert(Jwt jwt) {
		OrganizationIdentifier organization = OrganizationIdentifier
			.parse(jwt.getClaimAsString(properties.organizationClaim()))
			.orElseThrow(() -> new InvalidBearerTokenException("The token has no valid '"
					+ properties.organizationClaim() + "' claim (system|value of a URA or AGB identifier)"));
		Role role = Role.fromClaim(jwt.getClaimAsString(properties.roleClaim()))
			.orElseThrow(() -> new InvalidBearerTokenException(
					"The token has no valid '" + properties.roleClaim() + "' claim"));
		String clientId = jwt.hasClaim("client_id") ? jwt.getClaimAsString("client_id")
				: jwt.hasClaim("azp") ? jwt.getClaimAsString("azp") : jwt.getSubject();
		String purpose = jwt.hasClaim("purpose_of_use") ? jwt.getClaimAsString("purpose_of_use") : defaultPurpose(role);
		Set<String> scopes = scopes(jwt);
		String onBehalfOf = jwt.getClaimAsString("on_behalf_of");
		if (onBehalfOf == null && scopes.stream().anyMatch(s -> s.startsWith("user/"))) {
			// a person's token (user/ scopes, e.g. the dashboard's): the audit trail
			// names the person beside the client
			onBehalfOf = jwt.hasClaim("preferred_username") ? jwt.getClaimAsString("preferred_username")
					: jwt.getSubject();
		}
		Caller caller = new Caller(clientId, organization, role, scopes, onBehalfOf, purpose, jwt.getId());
		return new CallerAuthentication(caller, jwt);
	}

	/**
	 * v3-ActReason purpose of use when the token names none: care for the submitters and
	 * receivers.
	 */
	private static String defaultPurpose(Role role) {
		return switch (role) {
			case BIRTH_CARE_SUBMITTER, JGZ_RECEIVER -> "TREAT";
			case MONITORING_READER -> "PUBHLTH";
			case ADMINISTRATOR -> "HOPERAT";
		};
	}

	private static Set<String> scopes(Jwt jwt) {
		Object claim = jwt.getClaim("scope");
		Set<String> scopes = new LinkedHashSet<>();
		if (claim instanceof String s) {
			scopes.addAll(List.of(s.trim().split("\\s+")));
		}
		else if (claim instanceof Collection<?> c) {
			c.forEach(v -> scopes.add(String.valueOf(v)));
		}
		scopes.remove("");
		return Set.copyOf(scopes);
	}

	static final class CallerAuthentication extends AbstractAuthenticationToken {

		private final transient Caller caller;

		private final transient Jwt jwt;

		CallerAuthentication(Caller caller, Jwt jwt) {
			super(caller.scopes().stream().map(s -> new SimpleGrantedAuthority("SCOPE_" + s)).toList());
			this.caller = caller;
			this.jwt = jwt;
			setAuthenticated(true);
		}

		@Override
		public Object getCredentials() {
			return jwt;
		}

		@Override
		public Object getPrincipal() {
			return caller;
		}

		@Override
		public String getName() {
			return caller.clientId();
		}

	}

}
