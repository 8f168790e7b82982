package nl.kansrijkestart.gateway.consent;

/**
 * Whether monitoring counts only those who permitted it (opt-in, the default) or everyone
 * who did not object.
 */
public enum MonitoringPolicy {

	OPT_IN, OPT_OUT

}
