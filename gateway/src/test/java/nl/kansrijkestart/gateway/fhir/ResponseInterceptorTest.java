package nl.kansrijkestart.gateway.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.mock.web.MockHttpServletRequest;

class ResponseInterceptorTest {

	private final List<Integer> halted = new ArrayList<>();

	private final ResponseInterceptor interceptor = new ResponseInterceptor(new FatalErrors(halted::add));

	private final MockHttpServletRequest request = new MockHttpServletRequest("POST", "/fhir");

	@Test
	void aDatabaseThatCannotBeReachedIs503WithRetryAfterNot500() {
		Throwable down = new InternalErrorException("x", new CannotGetJdbcConnectionException("pool",
				new SQLTransientConnectionException("Connection is not available, request timed out after 5000ms")));
		BaseServerResponseException answer = interceptor.mapException(null, down, request);
		assertThat(answer.getStatusCode()).isEqualTo(503);
		assertThat(answer.getResponseHeaders()).containsEntry("Retry-After", List.of("5"));
		assertThat(answer.getMessage()).doesNotContain("5000ms");
	}

	@Test
	void anythingElseUnexpectedIs500WithOnlyAReference() {
		BaseServerResponseException answer = interceptor.mapException(null, new IllegalStateException("secret detail"),
				request);
		assertThat(answer.getStatusCode()).isEqualTo(500);
		assertThat(answer.getMessage()).startsWith("Internal error; reference ").doesNotContain("secret");
		assertThat(halted).isEmpty();
	}

}
