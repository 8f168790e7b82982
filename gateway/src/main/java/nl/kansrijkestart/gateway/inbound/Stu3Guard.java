package nl.kansrijkestart.gateway.inbound;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A body that says it is another FHIR version ({@code fhirVersion=4.0}) is refused before
 * it is parsed as STU3.
 */
@Interceptor
class Stu3Guard {

	private static final Pattern VERSION = Pattern.compile("fhirversion\\s*=\\s*\"?([0-9.]+)");

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_PROCESSED)
	public boolean checkVersion(HttpServletRequest request) {
		String contentType = request.getContentType();
		if (contentType == null) {
			return true;
		}
		Matcher m = VERSION.matcher(contentType.toLowerCase(Locale.ROOT));
		if (m.find() && !m.group(1).startsWith("3.0")) {
			throw new UnsupportedVersion("This is the STU3 endpoint (fhirVersion=3.0); the body says fhirVersion="
					+ m.group(1) + (m.group(1).startsWith("4.0") ? ": post R4 to /fhir" : ""));
		}
		return true;
	}

	static final class UnsupportedVersion extends BaseServerResponseException {

		UnsupportedVersion(String message) {
			super(415, message);
		}

	}

}
