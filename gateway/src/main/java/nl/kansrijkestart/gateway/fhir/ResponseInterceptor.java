package nl.kansrijkestart.gateway.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.UnclassifiedServerFailureException;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Shapes what leaves the server: unknown search parameters are dropped from Bundle links
 * (FHIR search rules), parse errors become 400, and anything unexpected becomes a 500
 * that reveals nothing but a reference to the log.
 */
@Component
@Interceptor
class ResponseInterceptor {

	private static final Logger log = LoggerFactory.getLogger(ResponseInterceptor.class);

	private final FatalErrors fatalErrors;

	ResponseInterceptor(FatalErrors fatalErrors) {
		this.fatalErrors = fatalErrors;
	}

	@Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
	public boolean cleanLinks(RequestDetails request, IBaseResource resource) {
		@SuppressWarnings("unchecked")
		Set<String> unknown = (Set<String>) request.getUserData().get(SearchSupport.UNKNOWN_PARAMS);
		if (unknown != null && resource instanceof Bundle bundle) {
			for (Bundle.BundleLinkComponent link : bundle.getLink()) {
				link.setUrl(withoutParams(link.getUrl(), unknown));
			}
		}
		return true;
	}

	private static boolean databaseUnavailable(Throwable t) {
		for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
			if (c instanceof org.springframework.dao.DataAccessResourceFailureException
					|| c instanceof org.springframework.dao.QueryTimeoutException
					|| c instanceof java.sql.SQLTransientConnectionException
					|| c instanceof java.sql.SQLNonTransientConnectionException) {
				return true;
			}
		}
		return false;
	}

	static String withoutParams(String url, Set<String> names) {
		int q = url.indexOf('?');
		if (q < 0) {
			return url;
		}
		String kept = java.util.Arrays.stream(url.substring(q + 1).split("&"))
			.filter(p -> !names
				.contains(java.net.URLDecoder.decode(p.split("=", 2)[0], java.nio.charset.StandardCharsets.UTF_8)))
			.collect(Collectors.joining("&"));
		return kept.isEmpty() ? url.substring(0, q) : url.substring(0, q + 1) + kept;
	}

	@Hook(Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION)
	public BaseServerResponseException mapException(RequestDetails request, Throwable exception,
			HttpServletRequest servletRequest) {
		fatalErrors.haltIfFatal(exception);
		Throwable cause = exception;
		while (cause instanceof InternalErrorException && cause.getCause() != null) {
			cause = cause.getCause();
		}
		if (cause instanceof BaseServerResponseException response) {
			return response;
		}
		if (cause instanceof DataFormatException) {
			return new InvalidRequestException("The request body could not be parsed: " + cause.getMessage());
		}
		if (databaseUnavailable(cause)) {
			// Not the client's fault, and not for long: the pool's wait is bounded, the
			// database is supervised.
			log.warn("Database unavailable on {} {}: {}", servletRequest.getMethod(), servletRequest.getRequestURI(),
					cause.toString());
			UnclassifiedServerFailureException unavailable = new UnclassifiedServerFailureException(503,
					"The database is not available right now; try again shortly");
			unavailable.addResponseHeader("Retry-After", "5");
			return unavailable;
		}
		String reference = UUID.randomUUID().toString();
		log.error("Unexpected error {} on {} {}", reference, servletRequest.getMethod(), servletRequest.getRequestURI(),
				cause);
		return new InternalErrorException("Internal error; reference " + reference);
	}

}
