package nl.kansrijkestart.gateway.fhir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The query string as FHIR servers must read it: every %-escape well formed, UTF-8 text
 * without control characters, and a bounded number of parameter values (each AND'ed
 * parameter and each value of an OR list becomes a database condition).
 */
final class QueryScreen {

	private QueryScreen() {
	}

	/** Null when the query may go on; otherwise why it is refused (400). */
	static String check(String rawQuery, int maxParameters) {
		if (rawQuery == null || rawQuery.isEmpty()) {
			return null;
		}
		int values = 0;
		for (String pair : rawQuery.split("&")) {
			if (pair.isEmpty()) {
				continue;
			}
			int eq = pair.indexOf('=');
			String name = decode(eq < 0 ? pair : pair.substring(0, eq));
			String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
			if (name == null || value == null) {
				return "The query string holds a malformed %-escape or bytes that are not UTF-8: encode parameters as UTF-8"
						+ " and escape '%' as %25";
			}
			BodyScreen.Refusal text = BodyScreen.text(name + value, "The query string");
			if (text != null) {
				return text.message();
			}
			values += 1 + commas(value);
		}
		return values > maxParameters ? tooMany(maxParameters) : null;
	}

	/**
	 * The same bound for parameters Tomcat already parsed (a form-encoded _search body).
	 */
	static String checkCount(Map<String, String[]> parameters, int maxParameters) {
		int values = 0;
		for (String[] all : parameters.values()) {
			for (String value : all) {
				values += 1 + commas(value);
			}
		}
		return values > maxParameters ? tooMany(maxParameters) : null;
	}

	private static String tooMany(int maxParameters) {
		return "The request has more than " + maxParameters
				+ " search parameter values (each value of an OR list counts);" + " narrow the search or split it";
	}

	private static int commas(String value) {
		int n = 0;
		for (int i = 0; i < value.length(); i++) {
			if (value.charAt(i) == ',' && (i == 0 || value.charAt(i - 1) != '\\')) {
				n++;
			}
		}
		return n;
	}

	/** Strict application/x-www-form-urlencoded decoding; null when malformed. */
	private static String decode(String s) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
		for (int i = 0; i < s.length(); i++) {
			char c = s.charAt(i);
			if (c == '%') {
				if (i + 2 >= s.length()) {
					return null;
				}
				int hi = Character.digit(s.charAt(i + 1), 16);
				int lo = Character.digit(s.charAt(i + 2), 16);
				if (hi < 0 || lo < 0) {
					return null;
				}
				bytes.write(hi * 16 + lo);
				i += 2;
			}
			else if (c == '+') {
				bytes.write(' ');
			}
			else if (c > 0xff) {
				return null;
			}
			else {
				// Tomcat hands over the raw query bytes one char each (ISO-8859-1): they
				// are decoded as UTF-8 below.
				bytes.write(c);
			}
		}
		try {
			return StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(ByteBuffer.wrap(bytes.toByteArray()))
				.toString();
		}
		catch (CharacterCodingException e) {
			return null;
		}
	}

}
