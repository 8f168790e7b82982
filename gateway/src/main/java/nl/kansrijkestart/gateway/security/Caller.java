package nl.kansrijkestart.gateway.security;

import java.util.Optional;
import java.util.Set;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * The authenticated system behind a request, from its access token: the client, its
 * organisation and role, the SMART scopes granted, and, when the token says so, the
 * person it acts for and the purpose of use.
 */
public record Caller(String clientId, OrganizationIdentifier organization, Role role, Set<String> scopes,
		String onBehalfOf, String purposeOfUse, String tokenId) {

	/** The caller of the current request, if it was authenticated. */
	public static Optional<Caller> current() {
		Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
		return authentication != null && authentication.getPrincipal() instanceof Caller caller ? Optional.of(caller)
				: Optional.empty();
	}
}
