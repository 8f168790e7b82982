package nl.kansrijkestart.gateway.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * For tables of requests that must be refused: each answer is its status with an
 * OperationOutcome (no stack trace, no HTML), the database is as it was after every test
 * (a test that stores something on purpose moves {@link #before}), and the gateway still
 * answers.
 */
public abstract class RefusedRequests {

	@LocalServerPort
	protected int port;

	@Autowired
	protected JdbcTemplate jdbc;

	protected FhirHttp http;

	protected DatabaseState before;

	@BeforeEach
	void rememberTheDatabase() {
		http = new FhirHttp(port);
		before = DatabaseState.of(jdbc);
	}

	@AfterEach
	void unchangedAndStillAnswering() {
		assertThat(DatabaseState.of(jdbc)).isEqualTo(before);
		assertThat(http.get("/fhir/Patient?_count=1").status()).isEqualTo(200);
	}

	protected static OperationOutcome refused(FhirHttp.Response response, int status) {
		assertThat(response.status()).as(response.body()).isEqualTo(status);
		assertThat(response.body()).doesNotContain("\tat ").doesNotContain("Exception").doesNotContain("<html");
		OperationOutcome oo = response.outcome();
		assertThat(oo.getIssue()).isNotEmpty();
		return oo;
	}

	protected static OperationOutcome refused(FhirHttp.Response response, int status, String diagnostics) {
		OperationOutcome oo = refused(response, status);
		assertThat(oo.getIssue()).anySatisfy(i -> assertThat(i.getDiagnostics()).contains(diagnostics));
		return oo;
	}

}
