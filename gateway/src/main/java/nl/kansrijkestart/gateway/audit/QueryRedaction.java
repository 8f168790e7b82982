package nl.kansrijkestart.gateway.audit;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import nl.kansrijkestart.gateway.privacy.Pseudonymizer;

/**
 * The query of a search as the audit trail keeps it: parameters that cannot carry a
 * person's identity stay readable; every other value (identifiers, names, unknown
 * parameters) is replaced by its keyed pseudonym, so an auditor can still tell which BSN
 * was searched for (by computing its pseudonym) without the trail holding it.
 */
public final class QueryRedaction {

	private static final Set<String> CLEAR = Set.of("_id", "_count", "_offset", "_sort", "_include", "_lastUpdated",
			"_format", "_summary", "_elements", "_total", "code", "category", "status", "gender", "date", "patient",
			"subject", "target", "recorded", "agent", "action", "outcome", "subtype", "owner", "focus", "periodStart",
			"periodEnd", "purpose");

	private QueryRedaction() {
	}

	public static String redact(String resourceType, Map<String, String[]> parameters, Pseudonymizer pseudonymizer) {
		StringJoiner query = new StringJoiner("&", resourceType + "?", "");
		query.setEmptyValue(resourceType);
		for (var parameter : new TreeMap<>(parameters).entrySet()) {
			String name = parameter.getKey();
			boolean clear = CLEAR.contains(name) || (name.indexOf(':') > 0
					&& CLEAR.contains(name.substring(0, name.indexOf(':'))) && !name.endsWith(":identifier"));
			for (String value : parameter.getValue()) {
				String shown = clear ? value
						: "pseudonym:" + pseudonymizer.pseudonym(Pseudonymizer.Domain.AUDIT, bsnOrValue(value));
				query.add(URLEncoder.encode(name, StandardCharsets.UTF_8) + "="
						+ URLEncoder.encode(shown, StandardCharsets.UTF_8));
			}
		}
		return query.toString();
	}

	/**
	 * A token {@code system|value} is pseudonymised by its value, so that it matches the
	 * pseudonym of the bare BSN.
	 */
	private static String bsnOrValue(String token) {
		int bar = token.lastIndexOf('|');
		return bar < 0 ? token : token.substring(bar + 1);
	}

}
