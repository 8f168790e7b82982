package nl.kansrijkestart.gateway.security;

import java.util.Optional;

/**
 * A care organisation's identifier (URA or AGB): who submits data, who receives it, whose
 * partition a resource is in.
 */
public record OrganizationIdentifier(String system, String value) {

	public static final String URA = "http://fhir.nl/fhir/NamingSystem/ura";

	public static final String AGB = "http://fhir.nl/fhir/NamingSystem/agb-z";

	/**
	 * Parses {@code system|value}; only URA and AGB identifiers of eight digits are
	 * accepted.
	 */
	public static Optional<OrganizationIdentifier> parse(String token) {
		if (token == null) {
			return Optional.empty();
		}
		int bar = token.indexOf('|');
		if (bar < 0) {
			return Optional.empty();
		}
		String system = token.substring(0, bar).trim();
		String value = token.substring(bar + 1).trim();
		if (!(system.equals(URA) || system.equals(AGB)) || !value.matches("[0-9]{8}")) {
			return Optional.empty();
		}
		return Optional.of(new OrganizationIdentifier(system, value));
	}

	/** The {@code system|value} form, as stored in the resource partition column. */
	public String token() {
		return system + "|" + value;
	}
}
