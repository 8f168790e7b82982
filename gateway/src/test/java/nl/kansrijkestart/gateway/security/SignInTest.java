package nl.kansrijkestart.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nl.kansrijkestart.gateway.support.GatewayTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * People sign in with the authorization code and PKCE (the dashboard as a public client),
 * through the local issuer's sign-in form: no secret anywhere in the page, no code
 * without a challenge, no token without the verifier, and the token carries the user's
 * organisation and role.
 */
@GatewayTest
class SignInTest {

	private static final String VERIFIER = "dashboard-test-verifier-0123456789-abcdefghijklmnop";

	private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");

	@LocalServerPort
	int port;

	@Autowired
	JdbcTemplate jdbc;

	private HttpClient browser;

	private String base;

	@BeforeEach
	void newBrowser() {
		browser = HttpClient.newBuilder()
			.cookieHandler(new CookieManager())
			.followRedirects(HttpClient.Redirect.NEVER)
			.build();
		base = "http://localhost:" + port;
	}

	private String authorize(boolean withChallenge) throws Exception {
		String challenge = Base64.getUrlEncoder()
			.withoutPadding()
			.encodeToString(MessageDigest.getInstance("SHA-256").digest(VERIFIER.getBytes(StandardCharsets.US_ASCII)));
		return base + "/oauth2/authorize?response_type=code&client_id=monitoring-dashboard&redirect_uri="
				+ encode(base + "/monitoring/") + "&scope=" + encode("user/Measure.read user/MeasureReport.read")
				+ "&state=s1" + (withChallenge ? "&code_challenge=" + challenge + "&code_challenge_method=S256" : "");
	}

	private HttpResponse<String> get(String url) throws Exception {
		return browser.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> post(String url, String form) throws Exception {
		return browser.send(HttpRequest.newBuilder(URI.create(url))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(form))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> withToken(String token, String path) throws Exception {
		return browser.send(
				HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private static String location(HttpResponse<?> r) {
		return r.headers().firstValue("Location").orElse("");
	}

	private static String encode(String s) {
		return URLEncoder.encode(s, StandardCharsets.UTF_8);
	}

	/**
	 * Signs in through the form and returns the code the issuer sends back to the
	 * dashboard.
	 */
	private String code(String password) throws Exception {
		HttpResponse<String> toLogin = get(authorize(true));
		assertThat(toLogin.statusCode()).isEqualTo(302);
		assertThat(location(toLogin)).endsWith("/login");
		Matcher csrf = CSRF.matcher(get(base + "/login").body());
		assertThat(csrf.find()).as("the sign-in form carries a CSRF token").isTrue();
		HttpResponse<String> signedIn = post(base + "/login",
				"username=monitoring-user&password=" + encode(password) + "&_csrf=" + csrf.group(1));
		if (!location(signedIn).contains("/oauth2/authorize")) {
			return null;
		}
		HttpResponse<String> back = get(location(signedIn));
		assertThat(location(back)).startsWith(base + "/monitoring/?code=").contains("state=s1");
		return location(back).replaceFirst(".*[?&]code=([^&]+).*", "$1");
	}

	private HttpResponse<String> exchange(String code, String verifier) throws Exception {
		return post(base + "/oauth2/token", "grant_type=authorization_code&code=" + code + "&redirect_uri="
				+ encode(base + "/monitoring/") + "&client_id=monitoring-dashboard&code_verifier=" + verifier);
	}

	@Test
	void aPersonSignsInAndGetsATokenWithHerOrganisationAndRole() throws Exception {
		assertThat(get(base + "/monitoring/").body()).doesNotContainIgnoringCase("secret");
		HttpResponse<String> token = exchange(code("monitoring-user-password"), VERIFIER);
		assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
		String access = token.body().replaceFirst(".*\"access_token\":\"([^\"]+)\".*", "$1");
		String claims = new String(Base64.getUrlDecoder().decode(access.split("\\.")[1]), StandardCharsets.UTF_8);
		assertThat(claims).contains("\"sub\":\"monitoring-user\"", "\"role\":\"monitoring-reader\"",
				"\"organization\":\"http://fhir.nl/fhir/NamingSystem/ura|90000001\"", "user/Measure.read");
		assertThat(token.body()).doesNotContain("refresh_token");
		// the user/ scopes open the indicators, within the role
		assertThat(withToken(access, "/fhir/Measure").statusCode()).isEqualTo(200);
		assertThat(withToken(access, "/fhir/Patient?_count=1").statusCode()).isEqualTo(403);
		// the audit trail names the client and the person who signed in
		assertThat(jdbc.queryForObject("select count(*) from audit_event where client_id = 'monitoring-dashboard'"
				+ " and content::text like '%monitoring-user%'", Long.class))
			.isPositive();
	}

	@Test
	void noCodeWithoutAChallengeAndNoTokenWithoutTheVerifier() throws Exception {
		HttpResponse<String> noChallenge = get(authorize(false));
		assertThat(noChallenge.statusCode()).isEqualTo(302);
		assertThat(location(noChallenge)).startsWith(base + "/monitoring/?error=invalid_request");

		String code = code("monitoring-user-password");
		HttpResponse<String> wrong = exchange(code, VERIFIER.replace('0', '1'));
		assertThat(wrong.statusCode()).isEqualTo(400);
		assertThat(wrong.body()).contains("invalid_grant");
		// with the verifier it is good, and only once
		assertThat(exchange(code, VERIFIER).statusCode()).isEqualTo(200);
		assertThat(exchange(code, VERIFIER).statusCode()).isEqualTo(400);
	}

	@Test
	void aWrongPasswordGetsNoCode() throws Exception {
		assertThat(code("guess")).isNull();
	}

	@Test
	void theDiscoveryDocumentNamesTheAuthorizationEndpoint() throws Exception {
		String configuration = get(base + "/.well-known/smart-configuration").body();
		assertThat(configuration).contains("\"authorization_endpoint\":\"" + base + "/oauth2/authorize\"", "\"S256\"",
				"\"authorization_code\"", "\"client-public\"");
	}

}
