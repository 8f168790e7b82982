package nl.kansrijkestart.gateway.security;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Where access is decided, for every endpoint. A request is permitted only when the
 * caller's role allows the interaction on the resource type and one of its SMART scopes
 * grants it; birth-care submitters and JGZ receivers are then confined to their own
 * organisation's partition (enforced by the store, so searches are filtered too, and
 * another organisation's resource answers 404).
 */
@Component
public class AccessPolicy {

	/** Resource types birth-care systems submit and read back. */
	static final Set<String> BIRTH_CARE_TYPES = Set.of("Patient", "RelatedPerson", "EpisodeOfCare", "Observation",
			"Procedure", "Organization", "Consent", "Condition");

	/**
	 * The pseudo-type of a transaction or batch posted to the base
	 * ({@code system/Bundle.write}).
	 */
	public static final String BUNDLE = "Bundle";

	/** Operations on the server as a whole, e.g. the retention purge. */
	public static final String SERVER = "Server";

	private static final Set<Interaction> READ_WRITE = EnumSet.of(Interaction.READ, Interaction.SEARCH,
			Interaction.CREATE, Interaction.UPDATE);

	private static final Set<Interaction> READ_ONLY = EnumSet.of(Interaction.READ, Interaction.SEARCH);

	private static final Map<Role, Map<String, Set<Interaction>>> RULES = Map.of(Role.BIRTH_CARE_SUBMITTER,
			birthCareRules(), Role.JGZ_RECEIVER,
			Map.of("Task", EnumSet.of(Interaction.READ, Interaction.SEARCH, Interaction.UPDATE), BUNDLE, READ_ONLY),
			Role.MONITORING_READER,
			Map.of("Measure", EnumSet.of(Interaction.READ, Interaction.SEARCH, Interaction.OPERATION), "MeasureReport",
					READ_ONLY),
			Role.ADMINISTRATOR, Map.of("AuditEvent", READ_ONLY,
					// support staff follow handovers (parked, dead-lettered) without
					// changing them
					"Task", READ_ONLY,
					// support staff explain consent decisions ($consent-decision)
					"Patient", EnumSet.of(Interaction.OPERATION), SERVER, EnumSet.of(Interaction.OPERATION)));

	/** Roles whose data access is confined to their own organisation's resources. */
	private static final Set<Role> PARTITIONED = EnumSet.of(Role.BIRTH_CARE_SUBMITTER, Role.JGZ_RECEIVER);

	private static Map<String, Set<Interaction>> birthCareRules() {
		Map<String, Set<Interaction>> rules = new java.util.HashMap<>();
		BIRTH_CARE_TYPES.forEach(t -> rules.put(t, READ_WRITE));
		// $consent-decision about their own clients
		rules.put("Patient", EnumSet.of(Interaction.READ, Interaction.SEARCH, Interaction.CREATE, Interaction.UPDATE,
				Interaction.OPERATION));
		rules.put("Provenance", READ_ONLY);
		rules.put(BUNDLE, EnumSet.of(Interaction.TRANSACTION));
		return Map.copyOf(rules);
	}

	public AccessDecision decide(Caller caller, Interaction interaction, String resourceType) {
		Set<Interaction> allowed = RULES.getOrDefault(caller.role(), Map.of()).getOrDefault(resourceType, Set.of());
		if (!allowed.contains(interaction)) {
			return AccessDecision.deny(
					"role " + caller.role().claim() + " may not " + describe(interaction) + " " + resourceType,
					"role " + caller.role().claim());
		}
		// SMART scopes name resource types; operations on the server as a whole are
		// granted by role alone.
		String scope = resourceType.equals(SERVER) ? "(role only)"
				: grantingScope(caller.scopes(), interaction, resourceType);
		if (scope == null) {
			return AccessDecision.deny("no scope grants " + describe(interaction) + " on " + resourceType
					+ " (for example system/" + resourceType + "." + interaction.smartV1() + ")",
					"role " + caller.role().claim());
		}
		String basis = "role " + caller.role().claim() + ", scope " + scope;
		return AccessDecision.permit(basis, PARTITIONED.contains(caller.role()) ? caller.organization() : null);
	}

	/**
	 * The consent decision log ($consent-log) is for auditors (administrators) only, even
	 * among those who may ask for a decision.
	 */
	public AccessDecision decideDecisionLog(Caller caller) {
		return caller.role() == Role.ADMINISTRATOR ? AccessDecision.permit("role administrator", null) : AccessDecision
			.deny("the consent decision log is for administrators", "role " + caller.role().claim());
	}

	/**
	 * Non-FHIR endpoints: the monitoring dashboard, the operational (actuator) endpoints
	 * and the kernset intake.
	 */
	public AccessDecision decideEndpoint(Caller caller, String path) {
		if (path.equals("/inbound/kernset")) {
			// the intake then asks decide(TRANSACTION, Bundle) as for a FHIR transaction:
			// the scopes count too
			return caller.role() == Role.BIRTH_CARE_SUBMITTER
					? AccessDecision.permit("role birth-care-submitter", caller.organization()) : AccessDecision
						.deny("only birth-care systems submit kernset messages", "role " + caller.role().claim());
		}
		if (path.startsWith("/inbound/dead-letters")) {
			return caller.role() == Role.ADMINISTRATOR ? AccessDecision.permit("role administrator", null)
					: AccessDecision.deny("dead letters are for administrators", "role " + caller.role().claim());
		}
		if (path.startsWith("/monitoring/")) {
			return caller.role() == Role.MONITORING_READER ? AccessDecision.permit("role monitoring-reader", null)
					: AccessDecision.deny("only monitoring readers use the dashboard", "role " + caller.role().claim());
		}
		if (path.startsWith("/actuator/")) {
			return caller.role() == Role.ADMINISTRATOR ? AccessDecision.permit("role administrator", null)
					: AccessDecision.deny("operational endpoints are for administrators",
							"role " + caller.role().claim());
		}
		return AccessDecision.deny("no rule for " + path, "default deny");
	}

	/**
	 * The first scope that grants the interaction on the type: SMART v1 (read, write, *)
	 * or v2 (cruds letters), for a system ({@code system/}) or a signed-in person
	 * ({@code user/}); either way within the caller's role and partition.
	 */
	static String grantingScope(Set<String> scopes, Interaction interaction, String resourceType) {
		for (String scope : scopes) {
			if (!(scope.startsWith("system/") || scope.startsWith("user/")) || scope.contains("?")) {
				// Granular v2 scopes (with a query) restrict further than we can check:
				// they grant nothing here.
				continue;
			}
			int dot = scope.lastIndexOf('.');
			if (dot < 0) {
				continue;
			}
			String type = scope.substring(scope.indexOf('/') + 1, dot);
			String permission = scope.substring(dot + 1);
			if (!type.equals("*") && !type.equals(resourceType)) {
				continue;
			}
			if (permission.equals("*") || permission.equals(interaction.smartV1())
					|| (permission.matches("c?r?u?d?s?") && permission.indexOf(interaction.smartV2()) >= 0)) {
				return scope;
			}
		}
		return null;
	}

	private static String describe(Interaction interaction) {
		return interaction.name().toLowerCase(java.util.Locale.ROOT);
	}

}
