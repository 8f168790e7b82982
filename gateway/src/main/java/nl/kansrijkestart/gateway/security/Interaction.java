package nl.kansrijkestart.gateway.security;

/** What a request does, at the granularity access rules and SMART scopes speak of. */
public enum Interaction {

	/** read, vread and history of one resource */
	READ('r', "read"), SEARCH('s', "read"), CREATE('c', "write"), UPDATE('u', "write"), DELETE('d', "write"),
	/** a transaction or batch Bundle posted to the base */
	TRANSACTION('c', "write"),
	/** a named operation ($...): allowed by the scope that reads its type */
	OPERATION('r', "read");

	private final char smartV2;

	private final String smartV1;

	Interaction(char smartV2, String smartV1) {
		this.smartV2 = smartV2;
		this.smartV1 = smartV1;
	}

	/** SMART v2 permission letter (c, r, u, d, s) that grants this interaction. */
	char smartV2() {
		return smartV2;
	}

	/** SMART v1 permission (read, write) that grants this interaction. */
	String smartV1() {
		return smartV1;
	}

}
