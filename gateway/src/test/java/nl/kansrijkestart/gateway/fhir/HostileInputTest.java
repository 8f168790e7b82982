package nl.kansrijkestart.gateway.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.zip.GZIPOutputStream;
import nl.kansrijkestart.gateway.support.DatabaseState;
import nl.kansrijkestart.gateway.support.FhirHttp;
import nl.kansrijkestart.gateway.support.GatewayTest;
import nl.kansrijkestart.gateway.support.RefusedRequests;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile and broken requests, each a row: the status, an OperationOutcome (never a stack
 * trace or Tomcat's HTML), the database unchanged, and the gateway still answering
 * afterwards.
 */
@GatewayTest
class HostileInputTest extends RefusedRequests {

	private static final String MOTHER = """
			{"resourceType":"Patient","meta":{"profile":["https://kansrijkestart.nl/fhir/StructureDefinition/ks-mother"]},
			 "identifier":[{"system":"http://fhir.nl/fhir/NamingSystem/bsn","value":"371365120"}],
			 "name":[{"family":"%s","given":["Moeder"]}],"gender":"female","birthDate":"1994-05-06",
			 "address":[{"extension":[{"url":"https://kansrijkestart.nl/fhir/StructureDefinition/ks-ext-municipality",
			   "valueCoding":{"system":"https://kansrijkestart.nl/fhir/NamingSystem/cbs-gemeentecode","code":"GM0518"}}],
			   "postalCode":"2511 AA"}]}""";

	private FhirHttp.Response postBytes(String path, byte[] body, String... headers) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
			.header("Content-Type", FhirHttp.JSON)
			.POST(HttpRequest.BodyPublishers.ofByteArray(body));
		return http.send(request, headers);
	}

	private static byte[] utf8(String s) {
		return s.getBytes(StandardCharsets.UTF_8);
	}

	static byte[] gzip(byte[] raw) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
			gz.write(raw);
		}
		catch (IOException e) {
			throw new IllegalStateException(e);
		}
		return out.toByteArray();
	}

	static java.util.stream.Stream<Arguments> badBodies() {
		String deepJson = "{\"resourceType\":\"Patient\",\"extension\":" + "[".repeat(20_000) + "]".repeat(20_000)
				+ "}";
		String manyNames = "{\"resourceType\":\"Patient\",\"name\":[{\"given\":["
				+ IntStream.range(0, 800_000).mapToObj(i -> "\"a\"").collect(Collectors.joining(",")) + "]}]}";
		String deepXml = "<Patient xmlns=\"http://hl7.org/fhir\">" + "<extension url=\"x\">".repeat(5_000)
				+ "</extension>".repeat(5_000) + "</Patient>";
		String named = MOTHER.formatted("Xx");
		byte[] invalidUtf8 = utf8(named);
		int x = named.indexOf("Xx");
		invalidUtf8[x] = (byte) 0xC3;
		invalidUtf8[x + 1] = (byte) 0x28;
		return java.util.stream.Stream.of(
				Arguments.of("NUL in a string", utf8(MOTHER.formatted("a\\u0000b")), FhirHttp.JSON, 400, "U+0000"),
				Arguments.of("control character", utf8(MOTHER.formatted("a\\u0007b")), FhirHttp.JSON, 400, "U+0007"),
				Arguments.of("lone surrogate", utf8(MOTHER.formatted("a\\ud800b")), FhirHttp.JSON, 400, "surrogate"),
				Arguments.of("invalid UTF-8", invalidUtf8, FhirHttp.JSON, 400, "UTF-8"),
				Arguments.of("20,000-deep JSON", utf8(deepJson), FhirHttp.JSON, 413, "deeper than"),
				Arguments.of("800,000 given names", utf8(manyNames), FhirHttp.JSON, 413, "array of more than"),
				Arguments.of("5,000-deep XML", utf8(deepXml), "application/fhir+xml", 413, "deeper than"),
				Arguments.of("empty meta", utf8(MOTHER.formatted("Leeg")
					.replace(
							"\"meta\":{\"profile\":[\"https://kansrijkestart.nl/fhir/StructureDefinition/ks-mother\"]}",
							"\"meta\":{}")),
						FhirHttp.JSON, 422, "content"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("badBodies")
	void badBodiesAreRefusedBeforeParsing(String name, byte[] body, String contentType, int status,
			String diagnostics) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/fhir/Patient"))
			.header("Content-Type", contentType)
			.POST(HttpRequest.BodyPublishers.ofByteArray(body));
		refused(http.send(request), status, diagnostics);
	}

	@Test
	void aGzipBombCountsByItsDecompressedSize() {
		byte[] bomb = gzip(utf8("{\"resourceType\":\"Patient\",\"id\":\"" + "x".repeat(40_000_000) + "\"}"));
		assertThat(bomb.length).isLessThan(100_000);
		refused(postBytes("/fhir/Patient", bomb, "Content-Encoding", "gzip"), 413, "exceeds the limit");
	}

	@Test
	void brokenGzipAndUnknownCodingsAreRefused() {
		refused(postBytes("/fhir/Patient", utf8(MOTHER.formatted("Gz")), "Content-Encoding", "gzip"), 400, "gzip");
		refused(postBytes("/fhir/Patient", utf8(MOTHER.formatted("Br")), "Content-Encoding", "br"), 415, "br");
	}

	@Test
	void aValidGzipBodyIsReadDecompressed() {
		FhirHttp.Response created = postBytes("/fhir/Patient", gzip(utf8(MOTHER.formatted("Gecomprimeerd"))),
				"Content-Encoding", "gzip");
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		before = DatabaseState.of(jdbc);
	}

	@Test
	void malformedEscapesInTheQueryAre400() throws IOException {
		for (String query : new String[] { "identifier=%zz", "identifier=%C3%28", "identifier=a%00b",
				"identifier=%4" }) {
			String answer = raw("GET /fhir/Patient?" + query + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
					+ http.token("vsv-a") + "\r\nConnection: close\r\n\r\n");
			assertThat(answer).as(query).startsWith("HTTP/1.1 400").contains("\"OperationOutcome\"");
		}
		refused(http.get("/fhir/Patient?identifier=%C3%28"), 400, "UTF-8");
		refused(http.get("/fhir/Patient?identifier=a%00b"), 400, "U+0000");
	}

	@Test
	void tooManySearchValuesAre400() {
		String ands = IntStream.range(0, 200).mapToObj(i -> "identifier=x" + i).collect(Collectors.joining("&"));
		refused(http.get("/fhir/Patient?" + ands), 400, "more than 100 search parameter values");
		String ors = IntStream.range(0, 80_000).mapToObj(Integer::toString).collect(Collectors.joining(","));
		refused(http.post("/fhir/Patient/_search", "identifier=" + ors, "application/x-www-form-urlencoded"), 400,
				"more than 100 search parameter values");
	}

	@Test
	void deleteIs405() {
		FhirHttp.Response response = http
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/fhir/Patient/abc")).DELETE());
		refused(response, 405, "DELETE is not offered");
		assertThat(response.header("Allow")).contains("GET");
	}

	@Test
	void aBatchWithATypeWeDoNotAcceptAnswersThatEntry422() {
		String batch = """
				{"resourceType":"Bundle","type":"batch","entry":[{"resource":{"resourceType":"MedicationRequest","status":"active",
				 "intent":"order","subject":{"reference":"Patient/x"},"medicationCodeableConcept":{"text":"x"}},
				 "request":{"method":"POST","url":"MedicationRequest"}}]}""";
		FhirHttp.Response response = http.submit("/fhir", batch);
		assertThat(response.status()).as(response.body()).isEqualTo(200);
		Bundle.BundleEntryResponseComponent entry = response.as(Bundle.class).getEntryFirstRep().getResponse();
		assertThat(entry.getStatus()).startsWith("422");
		assertThat(((OperationOutcome) entry.getOutcome()).getIssueFirstRep().getDiagnostics())
			.contains("not accepted");
	}

	@Test
	void whatTomcatRefusesIsAnOperationOutcomeToo() throws IOException {
		String unencodedPipe = raw(
				"GET /fhir/Patient?identifier=http://fhir.nl/fhir/NamingSystem/bsn|371365120 HTTP/1.1\r\n"
						+ "Host: localhost\r\nAuthorization: Bearer " + http.token("vsv-a")
						+ "\r\nConnection: close\r\n\r\n");
		assertThat(unencodedPipe).startsWith("HTTP/1.1 200").contains("\"searchset\"");
		String badPath = raw("GET /fhir/Patient/%zz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
		assertThat(badPath).startsWith("HTTP/1.1 400")
			.contains("\"OperationOutcome\"")
			.doesNotContain("<html")
			.doesNotContain("Tomcat");
	}

	/**
	 * 70 clients trickle their bodies (more than Tomcat's 64 worker threads), with and
	 * without a token: the gateway keeps serving everyone else, and a body that does not
	 * arrive in time is answered 408.
	 */
	@Test
	void slowBodiesHoldNoThreads() throws Exception {
		String token = http.token("vsv-a");
		List<Socket> slow = new java.util.ArrayList<>();
		try {
			for (int i = 0; i < 70; i++) {
				Socket s = new Socket("localhost", port);
				s.setSoTimeout(20_000);
				String auth = i % 2 == 0 ? "Authorization: Bearer " + token + "\r\n" : "";
				s.getOutputStream()
					.write(("POST /fhir/Patient HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/fhir+json\r\n"
							+ auth + "Content-Length: 1000\r\n\r\n{")
						.getBytes(StandardCharsets.ISO_8859_1));
				s.getOutputStream().flush();
				slow.add(s);
			}
			for (int round = 0; round < 3; round++) {
				for (Socket s : slow) {
					if (!s.isClosed()) {
						try {
							s.getOutputStream().write(' ');
						}
						catch (IOException closedByTheGateway) {
							s.close();
						}
					}
				}
				// Everyone else is served while the slow bodies trickle in.
				FhirHttp.Response read = http.get("/fhir/Patient?_count=1");
				assertThat(read.status()).isEqualTo(200);
				FhirHttp.Response write = http.submit("/fhir/Patient",
						MOTHER.formatted("Tussendoor" + round).replace("371365120", "875483847"));
				assertThat(write.status()).isIn(201, 409);
				Thread.sleep(500);
			}
			Socket authenticated = slow.get(0);
			String answer = new String(authenticated.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			assertThat(answer).startsWith("HTTP/1.1 408").contains("did not arrive within");
		}
		finally {
			for (Socket s : slow) {
				s.close();
			}
		}
		before = DatabaseState.of(jdbc);
	}

	@Test
	void linksNeverEchoTheHostHeader() throws IOException {
		String answer = raw("GET /fhir/Patient?_count=1 HTTP/1.1\r\nHost: evil.example\r\nAuthorization: Bearer "
				+ http.token("vsv-a") + "\r\nConnection: close\r\n\r\n");
		assertThat(answer).startsWith("HTTP/1.1 200")
			.contains("http://localhost:" + port + "/fhir/Patient")
			.doesNotContain("evil.example");
	}

	private String raw(String request) throws IOException {
		try (Socket socket = new Socket("localhost", port)) {
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			out.write(request.getBytes(StandardCharsets.ISO_8859_1));
			out.flush();
			InputStream in = socket.getInputStream();
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
	}

}
