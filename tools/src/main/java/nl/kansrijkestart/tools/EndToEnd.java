package nl.kansrijkestart.tools;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.Task;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.yaml.snakeyaml.Yaml;

/**
 * The production topology of {@code docker/compose.yml}, run natively: Keycloak (the
 * realm file imported, as compose does), Caddy with the project's Caddyfile (its
 * {@code tls internal} certificate made at run time), two gateway instances on one
 * external PostgreSQL in external-issuer mode behind it. Then the three journeys through
 * {@code https://localhost:8443} and the refusals. The compose file, the Caddyfile and
 * the realm are read as they are; only what names a container (keycloak:8080,
 * gateway:8080, postgres:5432) is pointed at the local processes, and the realm's
 * placeholder secrets are replaced by generated ones. Prints each journey's result and
 * time; exit 1 on any failure. Everything it starts is stopped at the end, also on
 * failure.
 */
final class EndToEnd {

	private static final String REALM = "kansrijke-start";

	private static final String PUBLIC = "https://localhost:8443";

	private static final String FHIR = PUBLIC + "/fhir";

	private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");

	private static final FhirContext CTX = FhirContext.forR4Cached();

	private final Path repository;

	private final Path keycloakHome;

	private final Path jar;

	private final String jdbcUrl;

	private final Path work;

	private final Duration limit;

	private final SecureRandom random = new SecureRandom();

	private final List<ProcessHandle> started = new ArrayList<>();

	private final Map<String, String> secrets = new LinkedHashMap<>();

	private final List<String> failures = new ArrayList<>();

	private HttpClient client;

	private EndToEnd(Map<String, String> options) {
		repository = Path.of(options.getOrDefault("repository", ".")).toAbsolutePath().normalize();
		keycloakHome = Path.of(options.getOrDefault("keycloak", "target/e2e/keycloak")).toAbsolutePath();
		jar = Path.of(options.getOrDefault("jar", "gateway/target/app/gateway.jar")).toAbsolutePath();
		jdbcUrl = options.getOrDefault("jdbc", "jdbc:postgresql://127.0.0.1:5432/gateway_e2e");
		work = Path.of(options.getOrDefault("work", "target/e2e/run")).toAbsolutePath();
		limit = Duration.parse(options.getOrDefault("limit", "PT10M"));
	}

	static void run(Map<String, String> options) throws Exception {
		EndToEnd run = new EndToEnd(options);
		// bounded: whatever hangs, the run ends and its processes with it
		Thread watchdog = new Thread(() -> {
			try {
				Thread.sleep(run.limit.toMillis());
				System.err.println("The end-to-end run took longer than " + run.limit + ": stopping");
				run.stopAll();
				Runtime.getRuntime().halt(1);
			}
			catch (InterruptedException done) {
				Thread.currentThread().interrupt();
			}
		}, "e2e-limit");
		watchdog.setDaemon(true);
		watchdog.start();
		Runtime.getRuntime().addShutdownHook(new Thread(run::stopAll));
		try {
			run.topologyAndJourneys();
		}
		finally {
			run.stopAll();
			watchdog.interrupt();
		}
		if (!run.failures.isEmpty()) {
			System.out.println("FAILED: " + String.join("; ", run.failures));
			System.exit(1);
		}
		System.out.println("all journeys and refusals as expected");
	}

	private void topologyAndJourneys() throws Exception {
		deleteRecursively(work);
		Files.createDirectories(work);
		Map<String, Object> compose = new Yaml().load(Files.readString(repository.resolve("docker/compose.yml")));
		Map<String, String> variables = Map.of("POSTGRES_PASSWORD", "", "GATEWAY_OWNER_PASSWORD", "",
				"GATEWAY_APP_PASSWORD", "", "KEYCLOAK_ADMIN_PASSWORD", secret(), "PSEUDONYM_SECRET",
				secret() + secret());
		int keycloakPort = freePort();
		int[] gatewayPorts = { freePort(), freePort() };
		UnaryOperator<String> local = v -> v.replace("keycloak:8080", "127.0.0.1:" + keycloakPort)
			.replace("jdbc:postgresql://postgres:5432/gateway", jdbcUrl);

		long t0 = System.nanoTime();
		ProcessHandle keycloak = startKeycloak(service(compose, "keycloak"), variables, keycloakPort, local);
		Path caddyRoot = startCaddy(keycloakPort, gatewayPorts);
		client = HttpClient.newBuilder().sslContext(trusting(caddyRoot)).connectTimeout(Duration.ofSeconds(5)).build();
		await("Keycloak through the proxy", Duration.ofMinutes(4), () -> {
			expect(keycloak.isAlive(), "Keycloak exited while starting: see " + work.resolve("keycloak.log"));
			HttpResponse<String> r = get(PUBLIC + "/realms/" + REALM + "/.well-known/openid-configuration", null);
			if (r.statusCode() != 200 && r.statusCode() != 502) {
				throw new IOException("discovery answered " + r.statusCode() + " " + r.body());
			}
			return r.statusCode() == 200;
		});
		System.out.printf("Keycloak %s and Caddy up: %.1f s%n", keycloakHome.getFileName(), seconds(t0));

		// An expired token: one of the realm's clients, its lifetime cut to 1 s for one
		// token (Keycloak's admin API).
		String expired = shortLivedToken("vsv-example-2", variables.get("KEYCLOAK_ADMIN_PASSWORD"), keycloakPort);
		Instant expiredAt = Instant.now();

		long t1 = System.nanoTime();
		Path trustStore = work.resolve("caddy-root.p12");
		writeTrustStore(caddyRoot, trustStore);
		Map<String, String> gatewayEnvironment = new LinkedHashMap<>();
		for (Map.Entry<?, ?> e : ((Map<?, ?>) service(compose, "gateway").get("environment")).entrySet()) {
			gatewayEnvironment.put(e.getKey().toString(), local.apply(interpolate(e.getValue().toString(), variables)));
		}
		// The gateway reads the issuer's discovery document through the proxy: it trusts
		// Caddy's local CA.
		gatewayEnvironment.put("JAVA_TOOL_OPTIONS", "-Djavax.net.ssl.trustStore=" + trustStore
				+ " -Djavax.net.ssl.trustStorePassword=changeit -Djavax.net.ssl.trustStoreType=PKCS12");
		List<GatewayProcess> gateways = new ArrayList<>();
		for (int i = 0; i < 2; i++) {
			GatewayProcess g = new GatewayProcess(jar, work.resolve("gateway-" + (char) ('a' + i)), gatewayPorts[i],
					gatewayEnvironment, List.of());
			gateways.add(g);
		}
		try {
			for (GatewayProcess g : gateways) {
				g.start();
				ProcessHandle.of(g.pid()).ifPresent(started::add);
			}
			System.out.printf("two gateway instances on %s: %.1f s%n", jdbcUrl, seconds(t1));
			journeys(expired, expiredAt);
		}
		finally {
			for (GatewayProcess g : gateways) {
				if (g.alive()) {
					g.terminate(Duration.ofSeconds(30));
				}
			}
		}
	}

	private void journeys(String expired, Instant expiredAt) throws Exception {
		// SMART discovery through the proxy names Keycloak's token endpoint
		journey("SMART discovery", () -> {
			HttpResponse<String> r = get(PUBLIC + "/.well-known/smart-configuration", null);
			expect(r.statusCode() == 200
					&& r.body().contains(PUBLIC + "/realms/" + REALM + "/protocol/openid-connect/token"),
					"smart-configuration " + r.statusCode() + " " + r.body());
			return "token endpoint " + PUBLIC + "/realms/" + REALM + "/…/token";
		});

		String vsv = token(REALM, "vsv-example", "system/Bundle.write system/*.read system/*.write");
		PregnancyGenerator.GeneratedPregnancy pregnancy = amsterdamPregnancy();
		String[] motherId = new String[1];
		journey("birth care posts a consented pregnancy", () -> {
			Bundle bundle = Consents.withPermit(pregnancy.bundle(), "2024-01-01T10:00:00+01:00", Consents.TREAT,
					Consents.PUBHLTH);
			HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(FHIR))
				.header("Content-Type", "application/fhir+json")
				.header("Authorization", "Bearer " + vsv)
				.POST(HttpRequest.BodyPublishers.ofString(parser().encodeResourceToString(bundle))));
			expect(r.statusCode() == 200, "transaction " + r.statusCode() + " " + r.body());
			Bundle response = parser().parseResource(Bundle.class, r.body());
			motherId[0] = response.getEntry()
				.stream()
				.map(e -> e.getResponse().getLocation())
				.filter(l -> l.startsWith("Patient/"))
				.findFirst()
				.orElseThrow()
				.split("/")[1];
			return response.getEntry().size() + " entries created, mother Patient/" + motherId[0];
		});

		String jgz = token(REALM, "jgz-example", "system/Task.read system/Task.write system/Bundle.read");
		journey("JGZ pulls the Task and the document and acknowledges", () -> {
			String owner = URLEncoder.encode("http://fhir.nl/fhir/NamingSystem/ura|90000363", StandardCharsets.UTF_8);
			Task[] found = new Task[1];
			await("the Task for the mother", Duration.ofSeconds(60), () -> {
				HttpResponse<String> r = get(FHIR + "/Task?owner=" + owner + "&_count=100", jgz);
				expect(r.statusCode() == 200, "Task search " + r.statusCode() + " " + r.body());
				for (Bundle.BundleEntryComponent e : parser().parseResource(Bundle.class, r.body()).getEntry()) {
					Task t = (Task) e.getResource();
					if (pregnancy.truth().motherBsn().equals(t.getFor().getIdentifier().getValue())
							&& t.getStatus() == Task.TaskStatus.REQUESTED) {
						found[0] = t;
						return true;
					}
				}
				return false;
			});
			Task task = found[0];
			HttpResponse<String> document = get(FHIR + "/" + task.getFocus().getReference(), jgz);
			expect(document.statusCode() == 200
					&& parser().parseResource(Bundle.class, document.body()).getType() == Bundle.BundleType.DOCUMENT,
					"document " + document.statusCode());
			task.setStatus(Task.TaskStatus.COMPLETED);
			HttpResponse<String> ack = send(HttpRequest.newBuilder(URI.create(FHIR + "/Task/" + task.getIdPart()))
				.header("Content-Type", "application/fhir+json")
				.header("Authorization", "Bearer " + jgz)
				.PUT(HttpRequest.BodyPublishers.ofString(parser().encodeResourceToString(task))));
			expect(ack.statusCode() == 200, "acknowledgement " + ack.statusCode() + " " + ack.body());
			return "Task/" + task.getIdPart() + " (" + task.getCode().getCodingFirstRep().getCode() + "), document "
					+ task.getFocus().getReference() + ", completed";
		});

		String monitoring = token(REALM, "monitoring-example", "system/Measure.read system/MeasureReport.read");
		journey("a monitoring reader gets the indicators", () -> {
			HttpResponse<String> r = get(
					FHIR + "/Measure/ks-preterm/$evaluate-measure?periodStart=2024-01&periodEnd=2024-12", monitoring);
			expect(r.statusCode() == 200, "evaluate-measure " + r.statusCode() + " " + r.body());
			MeasureReport report = parser().parseResource(MeasureReport.class, r.body());
			return "MeasureReport " + report.getMeasure() + ", " + report.getGroupFirstRep().getStratifier().size()
					+ " stratifier(s)";
		});

		journey("a person signs in to the dashboard (Keycloak's form, PKCE)", this::dashboardSignIn);

		journey("refused: another organisation's token", () -> {
			String other = token(REALM, "vsv-example-2", "system/*.read");
			int status = status(get(FHIR + "/Patient/" + motherId[0], other));
			expect(status == 404 || status == 403, "another VSV read the mother: " + status);
			return "GET Patient/" + motherId[0] + " → " + status;
		});
		journey("refused: a role without the interaction", () -> {
			int status = status(get(FHIR + "/Patient/" + motherId[0], monitoring));
			expect(status == 403, "monitoring read a Patient: " + status);
			return "monitoring reader GET Patient → " + status;
		});
		journey("refused: a token of another realm", () -> {
			String foreign = token("other-realm", "vsv-example", "system/*.read");
			HttpResponse<String> r = get(FHIR + "/Patient/" + motherId[0], foreign);
			expect(r.statusCode() == 401 && challenge(r).contains("no matching key"),
					"a token of another realm: " + r.statusCode() + " " + challenge(r));
			return "GET Patient → " + r.statusCode() + " " + challenge(r);
		});
		journey("refused: an expired token", () -> {
			// past its 1 s lifetime and the gateway's 30 s clock skew
			Duration wait = Duration.between(Instant.now(), expiredAt.plusSeconds(33));
			if (!wait.isNegative()) {
				Thread.sleep(wait.toMillis());
			}
			HttpResponse<String> r = get(FHIR + "/Patient?_count=1", expired);
			expect(r.statusCode() == 401 && challenge(r).contains("expired"),
					"an expired token: " + r.statusCode() + " " + challenge(r));
			return "GET Patient → " + r.statusCode() + " " + challenge(r);
		});
		journey("refused: no token, and a forged one", () -> {
			int none = status(get(FHIR + "/Patient?_count=1", null));
			String[] parts = vsv.split("\\.");
			String forged = parts[0] + "." + parts[1] + "."
					+ Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[64]);
			int bad = status(get(FHIR + "/Patient?_count=1", forged));
			expect(none == 401 && bad == 401, "no token " + none + ", forged signature " + bad);
			return "no token → " + none + ", forged signature → " + bad;
		});
	}

	/**
	 * Debian's chromium opens the dashboard, signs in through Keycloak's login form and
	 * sees the indicators.
	 */
	private String dashboardSignIn() {
		ChromeOptions options = new ChromeOptions();
		options.setBinary("/usr/bin/chromium");
		// the browser does not know Caddy's run-time CA; the page's own calls are
		// same-origin through the same proxy
		options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--ignore-certificate-errors");
		ChromeDriverService service = new ChromeDriverService.Builder()
			.usingDriverExecutable(new java.io.File("/usr/bin/chromedriver"))
			.usingAnyFreePort()
			.build();
		WebDriver driver = new ChromeDriver(service, options);
		try {
			WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
			driver.get(PUBLIC + "/monitoring/");
			expect(!driver.getPageSource().toLowerCase(java.util.Locale.ROOT).contains("secret"),
					"the page mentions a secret");
			driver.findElement(By.id("sign-in")).click();
			wait.until(ExpectedConditions.urlContains("/realms/" + REALM + "/protocol/openid-connect/auth"));
			driver.findElement(By.id("username")).sendKeys("monitoring-user");
			driver.findElement(By.id("password")).sendKeys(secrets.get("monitoring-user"));
			driver.findElement(By.id("kc-login")).click();
			wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("controls")));
			String status = driver.findElement(By.id("sign-in-status")).getText();
			int indicators = driver.findElements(By.cssSelector("#indicator option")).size();
			expect(status.equals("Signed in as monitoring-user") && indicators > 0,
					status + ", " + indicators + " indicators");
			return status + "; " + indicators + " indicators listed";
		}
		finally {
			driver.quit();
		}
	}

	private interface Step {

		String run() throws Exception;

	}

	private interface Check {

		boolean holds() throws Exception;

	}

	private void journey(String name, Step step) {
		long t = System.nanoTime();
		try {
			String result = step.run();
			System.out.printf("PASS %-62s %6.2f s  %s%n", name, seconds(t), result);
		}
		catch (Exception | AssertionError e) {
			System.out.printf("FAIL %-62s %6.2f s  %s%n", name, seconds(t), e.getMessage());
			failures.add(name);
		}
	}

	private static void expect(boolean holds, String otherwise) {
		if (!holds) {
			throw new AssertionError(otherwise);
		}
	}

	private static void await(String what, Duration atMost, Check check) throws Exception {
		long deadline = System.nanoTime() + atMost.toNanos();
		Exception last = null;
		while (System.nanoTime() < deadline) {
			try {
				if (check.holds()) {
					return;
				}
			}
			catch (IOException e) {
				last = e;
			}
			Thread.sleep(500);
		}
		throw new AssertionError("waited " + atMost.toSeconds() + " s for " + what + (last == null ? "" : ": " + last));
	}

	private ProcessHandle startKeycloak(Map<String, Object> service, Map<String, String> variables, int port,
			UnaryOperator<String> local) throws IOException {
		Path imports = keycloakHome.resolve("data/import");
		deleteRecursively(keycloakHome.resolve("data"));
		Files.createDirectories(imports);
		String realm = Files.readString(repository.resolve("docker/keycloak/kansrijke-start-realm.json"));
		Matcher placeholder = Pattern.compile("\\*\\*change-me-([a-z0-9-]+)\\*\\*").matcher(realm);
		StringBuilder withSecrets = new StringBuilder();
		while (placeholder.find()) {
			String generated = secret();
			secrets.put(placeholder.group(1), generated);
			placeholder.appendReplacement(withSecrets, generated);
		}
		placeholder.appendTail(withSecrets);
		Files.writeString(imports.resolve(REALM + "-realm.json"), withSecrets);
		// the same clients in a realm the gateway does not trust
		Files.writeString(imports.resolve("other-realm-realm.json"), withSecrets.toString()
			.replaceFirst("\"realm\"\\s*:\\s*\"" + REALM + "\"", "\"realm\": \"other-realm\""));

		List<String> command = new ArrayList<>(List.of(keycloakHome.resolve("bin/kc.sh").toString()));
		for (Object argument : (List<?>) service.get("command")) {
			command.add(argument.toString());
		}
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(work.resolve("keycloak.log").toFile());
		for (Map.Entry<?, ?> e : ((Map<?, ?>) service.get("environment")).entrySet()) {
			builder.environment()
				.put(e.getKey().toString(), local.apply(interpolate(e.getValue().toString(), variables)));
		}
		builder.environment().put("KC_HTTP_PORT", Integer.toString(port));
		builder.environment().put("KC_HTTP_HOST", "127.0.0.1");
		builder.environment().put("KC_HTTP_MANAGEMENT_PORT", Integer.toString(freePort()));
		ProcessHandle keycloak = builder.start().toHandle();
		started.add(keycloak);
		return keycloak;
	}

	/**
	 * The project's Caddyfile with the container names pointed at the local processes;
	 * returns its local CA's root.
	 */
	private Path startCaddy(int keycloakPort, int[] gatewayPorts) throws Exception {
		String caddyfile = Files.readString(repository.resolve("docker/caddy/Caddyfile"));
		String adapted = replaceOnce(caddyfile, "reverse_proxy keycloak:8080",
				"reverse_proxy 127.0.0.1:" + keycloakPort);
		adapted = replaceOnce(adapted, "reverse_proxy gateway:8080",
				"reverse_proxy 127.0.0.1:" + gatewayPorts[0] + " 127.0.0.1:" + gatewayPorts[1]);
		// keep the machine's trust store, admin port and port 80 out of it
		adapted = replaceOnce(adapted, "{\n\tservers {",
				"{\n\tskip_install_trust\n\tadmin off\n\tauto_https disable_redirects\n\tservers {");
		Path file = work.resolve("Caddyfile");
		Files.writeString(file, adapted);
		Path data = work.resolve("caddy");
		ProcessBuilder builder = new ProcessBuilder("caddy", "run", "--adapter", "caddyfile", "--config",
				file.toString())
			.redirectErrorStream(true)
			.redirectOutput(work.resolve("caddy.log").toFile());
		builder.environment().put("XDG_DATA_HOME", data.toString());
		builder.environment().put("XDG_CONFIG_HOME", data.toString());
		started.add(builder.start().toHandle());
		Path root = data.resolve("caddy/pki/authorities/local/root.crt");
		await("Caddy's local CA", Duration.ofSeconds(30), () -> Files.exists(root) && Files.size(root) > 0);
		return root;
	}

	private static String replaceOnce(String text, String anchor, String replacement) {
		if (!text.contains(anchor)) {
			throw new IllegalStateException(
					"docker/caddy/Caddyfile no longer contains \"" + anchor + "\": adapt the e2e run to it");
		}
		return text.replace(anchor, replacement);
	}

	private String shortLivedToken(String clientId, String adminPassword, int keycloakPort) throws Exception {
		String direct = "http://127.0.0.1:" + keycloakPort;
		HttpResponse<String> admin = send(
				HttpRequest.newBuilder(URI.create(direct + "/realms/master/protocol/openid-connect/token"))
					.header("Content-Type", "application/x-www-form-urlencoded")
					.POST(HttpRequest.BodyPublishers
						.ofString("grant_type=password&client_id=admin-cli&username=admin&password=" + adminPassword)));
		String adminToken = match(ACCESS_TOKEN, admin.body(), "admin token " + admin.statusCode());
		String clients = direct + "/admin/realms/" + REALM + "/clients";
		HttpResponse<String> found = get(clients + "?clientId=" + clientId, adminToken);
		String id = match(Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\""), found.body(), "client " + clientId);
		setLifespan(clients + "/" + id, adminToken, "1");
		try {
			return token(REALM, clientId, "system/*.read");
		}
		finally {
			setLifespan(clients + "/" + id, adminToken, "300");
		}
	}

	private void setLifespan(String client, String adminToken, String seconds) throws Exception {
		HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(client))
			.header("Authorization", "Bearer " + adminToken)
			.header("Content-Type", "application/json")
			.PUT(HttpRequest.BodyPublishers
				.ofString("{\"attributes\":{\"access.token.lifespan\":\"" + seconds + "\"}}")));
		expect(r.statusCode() == 204, "updating the client's token lifespan: " + r.statusCode() + " " + r.body());
	}

	private String token(String realm, String clientId, String scope) throws Exception {
		String basic = Base64.getEncoder()
			.encodeToString((clientId + ":" + secrets.get(clientId)).getBytes(StandardCharsets.UTF_8));
		HttpResponse<String> r = send(HttpRequest
			.newBuilder(URI.create(PUBLIC + "/realms/" + realm + "/protocol/openid-connect/token"))
			.header("Authorization", "Basic " + basic)
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers
				.ofString("grant_type=client_credentials&scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8))));
		return match(ACCESS_TOKEN, r.body(),
				"token for " + clientId + " of " + realm + ": " + r.statusCode() + " " + r.body());
	}

	private static String match(Pattern pattern, String text, String what) {
		Matcher m = pattern.matcher(text);
		if (!m.find()) {
			throw new IllegalStateException("no " + what);
		}
		return m.group(1);
	}

	private static PregnancyGenerator.GeneratedPregnancy amsterdamPregnancy() {
		// Amsterdam (GM0363) is routed to the realm's JGZ client's organisation (URA
		// 90000363), for pulling
		PregnancyGenerator generator = new PregnancyGenerator(61_000);
		for (int i = 0; i < 1000; i++) {
			PregnancyGenerator.GeneratedPregnancy p = generator.next();
			if ("GM0363".equals(p.truth().municipality())) {
				return p;
			}
		}
		throw new IllegalStateException("no pregnancy in Amsterdam");
	}

	private HttpResponse<String> get(String url, String token) throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
			.header("Accept", url.startsWith(FHIR) ? "application/fhir+json" : "application/json");
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		return send(request);
	}

	private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
		return client.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
	}

	/** The bearer challenge's error_description: why the token was refused. */
	private static String challenge(HttpResponse<String> response) {
		String header = response.headers().firstValue("WWW-Authenticate").orElse("");
		Matcher m = Pattern.compile("error_description=\"([^\"]*)\"").matcher(header);
		return m.find() ? "(" + m.group(1).replace("An error occurred while attempting to decode the Jwt: ", "") + ")"
				: "(no reason given)";
	}

	private static int status(HttpResponse<String> response) {
		return response.statusCode();
	}

	private static IParser parser() {
		return CTX.newJsonParser();
	}

	/**
	 * Compose's ${NAME}, ${NAME:?message} and ${NAME:-default}, from the run's own
	 * values.
	 */
	private static String interpolate(String value, Map<String, String> variables) {
		Matcher m = Pattern.compile("\\$\\{([A-Z_]+)(?::[?-][^}]*)?}").matcher(value);
		StringBuilder out = new StringBuilder();
		while (m.find()) {
			String v = variables.get(m.group(1));
			if (v == null) {
				throw new IllegalStateException(
						"docker/compose.yml uses ${" + m.group(1) + "}, which the e2e run does not provide");
			}
			m.appendReplacement(out, Matcher.quoteReplacement(v));
		}
		m.appendTail(out);
		return out.toString();
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> service(Map<String, Object> compose, String name) {
		return (Map<String, Object>) ((Map<String, Object>) compose.get("services")).get(name);
	}

	private static KeyStore rootStore(Path rootCertificate) throws Exception {
		KeyStore store = KeyStore.getInstance("PKCS12");
		store.load(null, null);
		try (InputStream in = new FileInputStream(rootCertificate.toFile())) {
			store.setCertificateEntry("caddy-local-root",
					CertificateFactory.getInstance("X.509").generateCertificate(in));
		}
		return store;
	}

	private static SSLContext trusting(Path rootCertificate) throws Exception {
		TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
		trust.init(rootStore(rootCertificate));
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(null, trust.getTrustManagers(), null);
		return context;
	}

	private static void writeTrustStore(Path rootCertificate, Path file) throws Exception {
		try (var out = Files.newOutputStream(file)) {
			rootStore(rootCertificate).store(out, "changeit".toCharArray());
		}
	}

	private synchronized void stopAll() {
		for (ProcessHandle p : started) {
			p.descendants().forEach(ProcessHandle::destroy);
			p.destroy();
		}
		for (ProcessHandle p : started) {
			try {
				p.onExit().get(20, java.util.concurrent.TimeUnit.SECONDS);
			}
			catch (Exception stillRunning) {
				p.descendants().forEach(ProcessHandle::destroyForcibly);
				p.destroyForcibly();
			}
		}
		started.clear();
	}

	private String secret() {
		byte[] bytes = new byte[16];
		random.nextBytes(bytes);
		return HexFormat.of().formatHex(bytes);
	}

	private static double seconds(long since) {
		return (System.nanoTime() - since) / 1e9;
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	private static void deleteRecursively(Path dir) throws IOException {
		if (!Files.exists(dir)) {
			return;
		}
		try (var paths = Files.walk(dir)) {
			for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
				Files.delete(p);
			}
		}
	}

}
