package nl.kansrijkestart.gateway.ingest;

import java.util.Optional;

/** The organisation (URA or AGB) on whose behalf data is written; named in every Provenance. */
public record SubmittingOrganization(String system, String value) {

	public static final String URA = "http://fhir.nl/fhir/NamingSystem/ura";
	public static final String AGB = "http://fhir.nl/fhir/NamingSystem/agb-z";

	/** Parses {@code system|value}; only URA and AGB identifiers of eight digits are accepted. */
	public static Optional<SubmittingOrganization> parse(String token) {
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
		return Optional.of(new SubmittingOrganization(system, value));
	}
}
