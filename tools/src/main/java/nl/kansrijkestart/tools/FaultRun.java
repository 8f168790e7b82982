package nl.kansrijkestart.tools;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The fault-injection run (issue 12): real gateway processes, supervised by this program,
 * under load from 8 clients, with the faults a production run meets. Prints its figures
 * and exits 1 if any promise is broken:
 *
 * <ol>
 * <li>start-up to a ready {@code /fhir/metadata}, and the cost of an idle gateway
 * (commits/s, CPU);
 * <li>kill -9 of the JVM: after one restart every answered 200 is stored, and a token
 * from before still works;
 * <li>kill -9 of the embedded PostgreSQL: no request waits longer than the connection
 * timeout, the gateway exits for its supervisor and serves again within 30 s, every 200
 * is stored;
 * <li>SIGTERM: every request in flight completes;
 * <li>a JGZ endpoint that stalls: pushes to the others keep their p99 (within 2x, of at
 * least 1 s);
 * <li>with an external database: two instances behind a round-robin balancer, a token
 * from one used at both.
 * </ol>
 */
final class FaultRun {

	private static final Duration LONGEST_WAIT = Duration.ofSeconds(10);

	private final List<String> broken = new ArrayList<>();

	private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final Path jar;

	private final Path work;

	private final Duration loadTime;

	private final long seed;

	private FaultRun(Map<String, String> options) {
		this.jar = Path.of(options.getOrDefault("jar", "gateway/target/app/gateway.jar")).toAbsolutePath();
		this.work = Path.of(options.getOrDefault("work", "target/faults")).toAbsolutePath();
		this.loadTime = Duration.ofSeconds(Long.parseLong(options.getOrDefault("load-seconds", "8")));
		this.seed = Long.parseLong(options.getOrDefault("seed", "12"));
	}

	static void run(Map<String, String> options) throws Exception {
		FaultRun run = new FaultRun(options);
		run.embedded();
		String external = options.get("external-jdbc");
		if (external != null) {
			run.twoInstances(external);
		}
		else {
			System.out.println("\n(two instances: skipped, no --external-jdbc)");
		}
		System.out.println();
		if (run.broken.isEmpty()) {
			System.out.println("fault run: every check held");
			System.exit(0);
		}
		System.out.println("fault run: " + run.broken.size() + " check(s) broken:");
		run.broken.forEach(b -> System.out.println("  - " + b));
		System.exit(1);
	}

	private void check(boolean held, String promise) {
		System.out.println("  " + (held ? "ok    " : "BROKEN") + " " + promise);
		if (!held) {
			broken.add(promise);
		}
	}

	private void embedded() throws Exception {
		deleteRecursively(work.resolve("embedded"));
		Files.createDirectories(work);
		int dbPort = freePort();
		try (JgzEndpoint jgz = new JgzEndpoint(List.of("fast", "stall"), 0)) {
			Path routing = work.resolve("routing.csv");
			// every other municipality is served by the endpoint that will stall
			List<PregnancyGenerator.Municipality> all = PregnancyGenerator.MUNICIPALITIES;
			Predicate<String> stalled = code -> all.stream()
				.map(PregnancyGenerator.Municipality::code)
				.toList()
				.indexOf(code) % 2 == 1;
			jgz.writeRouting(routing, m -> stalled.test(m.code()) ? "stall" : "fast");
			GatewayProcess gateway = new GatewayProcess(jar, work.resolve("embedded"), freePort(),
					Map.of("GATEWAY_HANDOVER_ROUTING_FILE", "file:" + routing),
					List.of("--gateway.embedded-database.port=" + dbPort));

			System.out.println("== start-up and idle cost (embedded PostgreSQL, durable) ==");
			System.out.printf("  first start (new data directory, initdb): %.1f s to a ready /fhir/metadata%n",
					gateway.start().toMillis() / 1e3);
			gateway.terminate(Duration.ofSeconds(60));
			double restart = gateway.start().toMillis() / 1e3;
			// a goal, not a check: a busy machine must not fail the run on a figure
			System.out.printf("  start on existing data: %.1f s to a ready /fhir/metadata (goal: under 10 s, %s)%n",
					restart, restart < 10 ? "met" : "missed");
			idleCost(gateway, dbPort);

			AccessToken token = new AccessToken(client, tokenUrl(gateway.url()), "vsv-demo", "vsv-demo-secret");
			killJvm(gateway, token);
			killDatabase(gateway, token);
			terminate(gateway, token);
			stallingEndpoint(gateway, token, jgz, stalled);
			gateway.terminate(Duration.ofSeconds(60));
		}
	}

	private void idleCost(GatewayProcess gateway, int dbPort) throws Exception {
		Thread.sleep(15_000);
		try (Connection db = EmbeddedLogin.connect("jdbc:postgresql://localhost:" + dbPort + "/postgres",
				work.resolve("embedded/data/postgres.credentials"))) {
			long commits = commits(db);
			long ticks = gateway.cpuTicks();
			Thread.sleep(30_000);
			// our own query is one of the commits
			double perSecond = (commits(db) - commits - 1) / 30.0;
			double cpu = (gateway.cpuTicks() - ticks) / 30.0;
			System.out.printf("  idle for 30 s: %.2f commits/s, %.1f%% of one core%n", perSecond, cpu);
			check(perSecond < 1, "an idle gateway is quiet (under 1 commit/s)");
		}
	}

	private static long commits(Connection db) throws Exception {
		try (var rs = db.createStatement()
			.executeQuery("select xact_commit from pg_stat_database where datname = current_database()")) {
			rs.next();
			return rs.getLong(1);
		}
	}

	private void killJvm(GatewayProcess gateway, AccessToken token) throws Exception {
		System.out.println("== kill -9 of the gateway during an 8-client load ==");
		Load load = underLoad(List.of(gateway.url()), token, seed, loadTime);
		gateway.kill();
		List<Load.Sent> sent = load.stop();
		System.out.printf("  killed after %d answered 200 (%s)%n", count(sent, 200), statuses(sent));
		System.out.printf("  restart: %.1f s (the orphaned PostgreSQL is found and stopped first)%n",
				gateway.start().toMillis() / 1e3);
		verifyStored(gateway.url(), token, sent,
				"after one restart, every 200 is stored (read with the token from before the kill)");
	}

	private void killDatabase(GatewayProcess gateway, AccessToken token) throws Exception {
		System.out.println("== kill -9 of the embedded PostgreSQL during an 8-client load ==");
		Load load = underLoad(List.of(gateway.url()), token, seed + 1, loadTime.dividedBy(2));
		long killedAt = System.nanoTime();
		ProcessHandle.of(gateway.embeddedPostgresPid()).orElseThrow().destroyForcibly();
		int exit = gateway.awaitExit(Duration.ofSeconds(30));
		double exitedAfter = (System.nanoTime() - killedAt) / 1e9;
		System.out.printf(
				"  the gateway exited with status %d %.1f s after the kill; the supervisor (this run) restarts it%n",
				exit, exitedAfter);
		check(exit == 4, "the gateway exits (status 4) for its supervisor when its database is gone");
		double restart = gateway.start().toMillis() / 1e3;
		Thread.sleep(2000);
		List<Load.Sent> sent = load.stop();
		// the requests answered (or cut off) between the kill and the exit
		List<Load.Sent> beforeExit = sent.stream()
			.filter(s -> s.startNanos() >= killedAt - Duration.ofSeconds(1).toNanos()
					&& s.endNanos() < killedAt + (long) (exitedAfter * 1e9))
			.toList();
		double longest = beforeExit.stream().mapToDouble(Load.Sent::millis).max().orElse(0);
		double back = sent.stream()
			.filter(s -> s.status() == 200 && s.startNanos() > killedAt)
			.mapToDouble(s -> (s.endNanos() - killedAt) / 1e9)
			.min()
			.orElse(Double.NaN);
		System.out.printf("  requests from the kill to the exit: %s; the longest took %.0f ms%n", statuses(beforeExit),
				longest);
		System.out.printf(
				"  first 200 after the kill: %.1f s after it (the restart to a ready /fhir/metadata took %.1f s of it)%n",
				back, restart);
		check(longest <= LONGEST_WAIT.toMillis(),
				"no request waits longer than the connection timeout (5 s) plus its own work");
		// how long a start takes is the machine's (a goal, reported above and here); what
		// follows the start is the gateway's
		double afterReady = back - exitedAfter - restart;
		System.out.printf(
				"  service back %.1f s after the kill (goal: within 30 s, %s); %.1f s after the restart was ready%n",
				back, back <= 30 ? "met" : "missed", afterReady);
		check(afterReady <= 15,
				"once restarted, the first write is answered within 15 s (the validator's warm-up included)");
		verifyStored(gateway.url(), token, sent, "every 200 is stored");
	}

	private void terminate(GatewayProcess gateway, AccessToken token) throws Exception {
		System.out.println("== SIGTERM during an 8-client load ==");
		Load load = underLoad(List.of(gateway.url()), token, seed + 2, loadTime.dividedBy(2));
		long signalledAt = System.nanoTime();
		int exit = gateway.terminate(Duration.ofSeconds(90));
		List<Load.Sent> sent = load.stop();
		List<Load.Sent> inFlight = sent.stream()
			.filter(s -> s.startNanos() < signalledAt && s.endNanos() > signalledAt)
			.toList();
		System.out.printf("  exit status %d after %.1f s; in flight at the signal: %d (%s)%n", exit,
				(System.nanoTime() - signalledAt) / 1e9, inFlight.size(), statuses(inFlight));
		check(!inFlight.isEmpty() && inFlight.stream().allMatch(s -> s.status() == 200),
				"every request in flight at SIGTERM completes with 200");
		gateway.start();
		verifyStored(gateway.url(), token, sent, "every 200 is stored");
	}

	private void stallingEndpoint(GatewayProcess gateway, AccessToken token, JgzEndpoint jgz, Predicate<String> stalled)
			throws Exception {
		System.out.println("== a JGZ endpoint that stalls (10 s per push, beyond the 5 s timeout) ==");
		double[] before = pushLatencies(gateway, token, jgz, stalled, seed + 3);
		jgz.stall("stall", Duration.ofSeconds(10));
		double[] during = pushLatencies(gateway, token, jgz, stalled, seed + 4);
		jgz.stall("stall", null);
		System.out.printf(
				"  commit -> push to the other endpoint, ms: p50 %.0f, p99 %.0f (all answering) | p50 %.0f, p99 %.0f (one stalling)%n",
				before[0], before[1], during[0], during[1]);
		// 20-40 pushes each: their p99 is the slowest one, and one pause on two busy
		// cores moves it by a second. The
		// starvation this guards against made it 54 s; a floor of 1 s under the doubling
		// keeps noise from failing CI.
		check(during[1] <= 2 * Math.max(before[1], 1000),
				"pushes to the others keep their p99 within 2x (of at least 1 s) while one endpoint stalls");
	}

	/**
	 * Posts pregnancies at 4/s for the load time; p50 and p99 from commit to push of
	 * those not routed to the stalling endpoint.
	 */
	private double[] pushLatencies(GatewayProcess gateway, AccessToken token, JgzEndpoint jgz,
			Predicate<String> stalled, long seed) throws Exception {
		Load load = new Load(List.of(gateway.url()), token, seed);
		load.paced(Duration.ofMillis(250));
		load.start(1);
		Thread.sleep(loadTime.toMillis() * 2);
		List<Load.Sent> measured = load.stop()
			.stream()
			.filter(s -> s.status() == 200 && !stalled.test(s.truth().municipality())
					&& s.truth().children().stream().anyMatch(PregnancyGenerator.ChildTruth::liveBirth))
			.toList();
		long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		while (!measured.stream().allMatch(s -> jgz.postnatalArrivals().containsKey(s.truth().motherBsn()))
				&& System.nanoTime() < deadline) {
			Thread.sleep(50);
		}
		long[] latencies = measured.stream()
			.filter(s -> jgz.postnatalArrivals().containsKey(s.truth().motherBsn()))
			.mapToLong(s -> jgz.postnatalArrivals().get(s.truth().motherBsn()) - s.endNanos())
			.sorted()
			.toArray();
		check(latencies.length == measured.size() && !measured.isEmpty(),
				"every postnatal document for the answering endpoint arrives (" + latencies.length + " of "
						+ measured.size() + ")");
		return latencies.length == 0 ? new double[] { Double.NaN, Double.NaN }
				: new double[] { ToolsMain.pct(latencies, 50), ToolsMain.pct(latencies, 99) };
	}

	private void twoInstances(String jdbcUrl) throws Exception {
		System.out.println("\n== two instances on one external PostgreSQL behind a round-robin balancer ==");
		int portA = freePort();
		int portB = freePort();
		try (JgzEndpoint jgz = new JgzEndpoint(List.of("jgz"), 0)) {
			Path routing = work.resolve("routing-two.csv");
			jgz.writeRouting(routing, m -> "jgz");
			Map<String, String> environment = Map.of("SPRING_DATASOURCE_URL", jdbcUrl, "SPRING_DATASOURCE_USERNAME",
					"postgres", "SPRING_DATASOURCE_PASSWORD", "", "GATEWAY_HANDOVER_ROUTING_FILE", "file:" + routing,
					"GATEWAY_CONSENT_MONITORING", "opt-out");
			// both issue under the balancer's name, as behind a real one
			List<String> arguments = List.of("--gateway.security.local-issuer.issuer=http://localhost:" + portA,
					"--gateway.privacy.pseudonym-secret=fault-run-pseudonym-secret-0123456789");
			GatewayProcess a = new GatewayProcess(jar, work.resolve("instance-a"), portA, environment, arguments);
			GatewayProcess b = new GatewayProcess(jar, work.resolve("instance-b"), portB, environment, arguments);
			a.start();
			b.start();
			try {
				AccessToken token = new AccessToken(client, tokenUrl(a.url()), "vsv-demo", "vsv-demo-secret");
				Load load = underLoad(List.of(a.url(), b.url()), token, seed + 5, loadTime.multipliedBy(2));
				List<Load.Sent> sent = load.stop();
				System.out.printf("  %d posted through both with a token from A (%s)%n", sent.size(), statuses(sent));
				check(count(sent, 200) == sent.size() && !sent.isEmpty(),
						"every request is answered 200, at A and at B, with A's token");
				verifyStored(b.url(), token, sent, "everything answered 200 is read back at B");
				List<Load.Sent> live = sent.stream()
					.filter(s -> s.truth().children().stream().anyMatch(PregnancyGenerator.ChildTruth::liveBirth))
					.toList();
				long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
				while (!live.stream().allMatch(s -> jgz.postnatalArrivals().containsKey(s.truth().motherBsn()))
						&& System.nanoTime() < deadline) {
					Thread.sleep(100);
				}
				long arrived = live.stream()
					.filter(s -> jgz.postnatalArrivals().containsKey(s.truth().motherBsn()))
					.count();
				System.out.printf("  postnatal documents pushed: %d of %d live births; documents that came twice: %d%n",
						arrived, live.size(), jgz.duplicates());
				check(arrived == live.size(),
						"every consented birth's postnatal document reaches JGZ once the two have handed over");
				awaitQueuesEmpty(jdbcUrl);
				String atA = csv(a.url(), "ks-preterm");
				String atB = csv(b.url(), "ks-preterm");
				System.out.printf("  monitoring ks-preterm CSV, 2024: %d lines at A, %d at B; its last: %s%n",
						atA.lines().count(), atB.lines().count(),
						atA.lines().reduce((first, second) -> second).orElse("none"));
				check(atA.equals(atB) && atA.lines().count() > 1, "A and B publish the same indicator table");
			}
			finally {
				a.terminate(Duration.ofSeconds(60));
				b.terminate(Duration.ofSeconds(60));
			}
		}
	}

	/**
	 * 8 clients posting to {@code urls}, started and given {@code warmUp} before the
	 * fault.
	 */
	private static Load underLoad(List<String> urls, AccessToken token, long seed, Duration warmUp)
			throws InterruptedException {
		Load load = new Load(urls, token, seed);
		load.start(8);
		Thread.sleep(warmUp.toMillis());
		return load;
	}

	private static void awaitQueuesEmpty(String jdbcUrl) throws Exception {
		try (Connection db = DriverManager.getConnection(jdbcUrl, "postgres", "")) {
			long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
			while (System.nanoTime() < deadline) {
				try (var rs = db.createStatement()
					.executeQuery("select (select count(*) from monitoring_check) + (select count(*) from"
							+ " handover_check) + (select count(*) from int_channel_message)")) {
					rs.next();
					if (rs.getLong(1) == 0) {
						return;
					}
				}
				Thread.sleep(200);
			}
		}
	}

	private String csv(String url, String measure) throws Exception {
		AccessToken monitoring = new AccessToken(client, tokenUrl(url), "monitoring-demo", "monitoring-demo-secret");
		HttpResponse<String> r = client.send(HttpRequest
			.newBuilder(URI.create(url.replaceFirst("/fhir$", "") + "/monitoring/api/" + measure
					+ ".csv?periodStart=2024-01&periodEnd=2024-12"))
			.header("Authorization", "Bearer " + monitoring.get())
			.build(), HttpResponse.BodyHandlers.ofString());
		return r.statusCode() == 200 ? r.body() : "HTTP " + r.statusCode();
	}

	/** Reads back every resource of every transaction answered 200, 8 reads at a time. */
	private void verifyStored(String url, AccessToken token, List<Load.Sent> sent, String promise) throws Exception {
		List<String> locations = sent.stream()
			.filter(s -> s.status() == 200)
			.flatMap(s -> s.locations().stream())
			.toList();
		ExecutorService readers = Executors.newFixedThreadPool(8);
		List<Future<Boolean>> reads = new ArrayList<>();
		for (String location : locations) {
			reads.add(readers.submit(
					() -> client
						.send(HttpRequest.newBuilder(URI.create(url + "/" + location))
							.header("Authorization", "Bearer " + token.get())
							.build(), HttpResponse.BodyHandlers.discarding())
						.statusCode() == 200));
		}
		long missing = 0;
		for (Future<Boolean> read : reads) {
			missing += read.get() ? 0 : 1;
		}
		readers.shutdown();
		readers.awaitTermination(1, TimeUnit.MINUTES);
		System.out.printf("  %d transactions answered 200 with %d resources; read back: %d, missing: %d%n",
				count(sent, 200), locations.size(), locations.size() - missing, missing);
		check(missing == 0 && !locations.isEmpty(), promise);
	}

	private static long count(List<Load.Sent> sent, int status) {
		return sent.stream().filter(s -> s.status() == status).count();
	}

	private static String statuses(List<Load.Sent> sent) {
		Map<Integer, Long> byStatus = new java.util.TreeMap<>();
		sent.forEach(s -> byStatus.merge(s.status(), 1L, Long::sum));
		return byStatus.isEmpty() ? "none" : byStatus.toString().replace("-1=", "no answer=");
	}

	private static String tokenUrl(String fhirUrl) {
		return fhirUrl.replaceFirst("/fhir$", "") + "/oauth2/token";
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	private static void deleteRecursively(Path dir) throws IOException {
		if (Files.exists(dir)) {
			try (var paths = Files.walk(dir)) {
				paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
			}
		}
	}

}
