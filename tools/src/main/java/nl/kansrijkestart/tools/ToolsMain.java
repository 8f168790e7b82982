package nl.kansrijkestart.tools;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Command line: generate synthetic pregnancies, load them into a running gateway, or
 * benchmark ingest.
 *
 * <pre>
 * generate --count N [--seed S] --out DIR
 * load     [--url U] --count N [--clients C] [--seed S] [--client-id I --client-secret S] [--token-url T]
 * bench    [--url U] --count N [--clients C] [--warmup W] [--seed S] [--format r4|stu3|kernset] [--client-id I --client-secret S] [--token-url T]
 *          [--compare-url U2 [--compare-warmup W] [--compare-client-id I --compare-client-secret S --compare-token-url T] [--settle SECONDS]]
 * handover-bench [--url U] [--routing-file F] --count N [--rate R] [--warmup W] [--seed S]
 * monitoring-bench [--url U] [--jdbc J] [--credentials F] [--births-per-year B] [--years Y] [--runs R] [--keep true]
 * faults   [--jar gateway/target/app/gateway.jar] [--work target/faults] [--load-seconds S] [--external-jdbc J]
 * e2e      [--keycloak target/e2e/keycloak] [--jar ...] [--jdbc J] [--work target/e2e/run] [--limit PT10M]
 * wire-count [--listen 6432] [--target 127.0.0.1:5432] [--every 10]
 * </pre>
 */
public final class ToolsMain {

	private ToolsMain() {
	}

	public static void main(String[] args) throws Exception {
		if (args.length == 0) {
			usage();
			return;
		}
		Map<String, String> options = options(Arrays.copyOfRange(args, 1, args.length));
		switch (args[0]) {
			case "generate" -> generate(options);
			case "load" -> post(options, false);
			case "bench" -> post(options, true);
			case "handover-bench" -> HandoverBench.run(options);
			case "monitoring-bench" -> MonitoringBench.run(options);
			case "faults" -> FaultRun.run(options);
			case "e2e" -> EndToEnd.run(options);
			case "wire-count" -> WireCount.run(options);
			default -> usage();
		}
	}

	private static void usage() {
		System.err.println(
				"""
						usage: java -jar tools/target/tools-cli.jar <command> [options]
						  generate --count N [--seed S] --out DIR                     write N transaction Bundles as JSON files
						  load     [--url http://localhost:8080/fhir] --count N [--clients C] [--seed S]
						  bench    [--url ...] --count N [--clients C] [--warmup W] [--seed S] [--format r4|stu3|kernset]
						           r4: generated pregnancies to /fhir; stu3: the Wouden case (Nictiz STU3) to /fhir/stu3; kernset:
						           Nictiz kernset scenario 1 (HL7v3) to /inbound/kernset, each copy a new woman (registered first)
						           [--compare-url http://localhost:8090/fhir [--compare-client-id I --compare-client-secret S
						           --compare-token-url T] [--settle 20]]: then the same r4 transactions, profiles stripped, to a second
						           FHIR server (e.g. HAPI JPA), measured after the gateway, and both figures and their ratio side by side
						  handover-bench [--url ...] [--routing-file /tmp/kansrijke-start-bench-routing.csv] --count N [--rate R/s] [--warmup W]
						           time from a committed consented birth bundle to its postnatal document reaching JGZ (p50/p95/p99);
						           start the gateway with GATEWAY_HANDOVER_ROUTING_FILE=file:<routing-file>
						  monitoring-bench [--url ...] [--jdbc jdbc:postgresql://127.0.0.1:54329/postgres]
						           [--credentials data/postgres.credentials (the embedded database's, beside its data)]
						           [--births-per-year 170000] [--years 5] [--runs 20]: fills the fact tables with synthetic facts and
						           times the indicators (start the gateway with --gateway.embedded-database.port=54329)
						  faults   [--jar gateway/target/app/gateway.jar] [--work target/faults] [--load-seconds 8]
						           [--external-jdbc jdbc:postgresql://127.0.0.1:5432/gateway_faults]: the fault-injection run
						  e2e      [--keycloak target/e2e/keycloak] [--jdbc jdbc:postgresql://127.0.0.1:5432/gateway_e2e]: the compose
						           topology run natively (Keycloak, Caddy, two gateways) and its journeys; see docker/e2e.sh
						           (start-up, idle cost, kill -9 of the JVM and of PostgreSQL, SIGTERM, a stalling JGZ endpoint,
						           two instances on the external database); prints its figures, exits 1 if a check breaks
						  wire-count [--listen 6432] [--target 127.0.0.1:5432] [--every 10]: a PostgreSQL relay that prints the
						           statements its clients execute and their round trips (point the gateway's JDBC URL at it)
						  load and bench authenticate with client credentials: --client-id (vsv-demo), --client-secret
						  (vsv-demo-secret), --token-url (the gateway's own issuer: <url without /fhir>/oauth2/token)
						load and bench POST each pregnancy as one transaction and print bundles/s, resources/s and latency percentiles;
						bench first sends W warm-up bundles (default 1000: the JIT needs them) that are not measured.""");
		System.exit(2);
	}

	private static Map<String, String> options(String[] args) {
		Map<String, String> map = new HashMap<>();
		for (int i = 0; i + 1 < args.length; i += 2) {
			map.put(args[i].replaceFirst("^--", ""), args[i + 1]);
		}
		return map;
	}

	private static void generate(Map<String, String> options) throws IOException {
		int count = Integer.parseInt(options.getOrDefault("count", "10"));
		Path out = Path.of(options.getOrDefault("out", "generated"));
		Files.createDirectories(out);
		PregnancyGenerator generator = new PregnancyGenerator(Long.parseLong(options.getOrDefault("seed", "1")));
		var parser = FhirContext.forR4Cached().newJsonParser().setPrettyPrint(true);
		for (int i = 0; i < count; i++) {
			Files.writeString(out.resolve(String.format("pregnancy-%05d.json", i)),
					parser.encodeResourceToString(generator.next().bundle()));
		}
		System.out.println("Wrote " + count + " transaction bundles to " + out.toAbsolutePath());
	}

	private record Prepared(String json, int resources) {
	}

	/** Where a format is posted, as what and with whose token (null: none). */
	private record Target(String url, String contentType, AccessToken token) {
	}

	/**
	 * Generated pregnancies; {@code withoutProfiles}: meta.profile removed, for a server
	 * that knows only base R4.
	 */
	private static List<Prepared> prepare(long seed, int count, boolean withoutProfiles) {
		PregnancyGenerator generator = new PregnancyGenerator(seed);
		var parser = FhirContext.forR4Cached().newJsonParser();
		List<Prepared> list = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			var p = generator.next();
			if (withoutProfiles) {
				p.bundle().getEntry().forEach(e -> e.getResource().getMeta().getProfile().clear());
			}
			list.add(new Prepared(parser.encodeResourceToString(p.bundle()), p.bundle().getEntry().size()));
		}
		return list;
	}

	private static void post(Map<String, String> options, boolean bench) throws Exception {
		String url = options.getOrDefault("url", "http://localhost:8080/fhir");
		int count = Integer.parseInt(options.getOrDefault("count", "100"));
		int clients = Integer.parseInt(options.getOrDefault("clients", "8"));
		long seed = Long.parseLong(options.getOrDefault("seed", Long.toString(System.currentTimeMillis())));
		int warmup = bench ? Integer.parseInt(options.getOrDefault("warmup", "1000")) : 0;
		String format = options.getOrDefault("format", "r4");
		HttpClient client = HttpClient.newBuilder()
			.connectTimeout(Duration.ofSeconds(10))
			.executor(Executors.newFixedThreadPool(clients))
			.build();
		AccessToken token = new AccessToken(client,
				options.getOrDefault("token-url", url.replaceFirst("/fhir/?$", "") + "/oauth2/token"),
				options.getOrDefault("client-id", "vsv-demo"),
				options.getOrDefault("client-secret", "vsv-demo-secret"));
		Target target = switch (format) {
			case "stu3" -> new Target(url.replaceFirst("/?$", "/stu3"), "application/fhir+xml; fhirVersion=3.0", token);
			case "kernset" ->
				new Target(url.replaceFirst("/fhir/?$", "") + "/inbound/kernset", "application/xml", token);
			default -> new Target(url, "application/fhir+json", token);
		};
		List<Prepared> warm = warmup > 0 ? prepare(format, seed ^ 0x5eed, warmup, client, url, token, false)
				: List.of();
		List<Prepared> measured = prepare(format, seed, count, client, url, token, false);
		Summary ours = measure(client, target, warm, measured, clients, format + " messages (seed " + seed + ")");
		String compareUrl = options.get("compare-url");
		if (compareUrl == null) {
			System.exit(ours.allAccepted() ? 0 : 1);
		}
		if (!format.equals("r4")) {
			throw new IllegalArgumentException("--compare-url compares native R4 transactions only");
		}
		// The other server gets the same transactions, without our profiles (it validates
		// against base R4) and with
		// its own credentials, or none; it is measured after ours has settled, so the two
		// never share the cores.
		AccessToken otherToken = options.containsKey("compare-client-id")
				? new AccessToken(client, options.get("compare-token-url"), options.get("compare-client-id"),
						options.get("compare-client-secret"))
				: null;
		int compareWarmup = Integer.parseInt(options.getOrDefault("compare-warmup", Integer.toString(warmup)));
		Thread.sleep(Duration.ofSeconds(Long.parseLong(options.getOrDefault("settle", "20"))).toMillis());
		Summary other = measure(client, new Target(compareUrl, "application/fhir+json", otherToken),
				compareWarmup > 0 ? prepare(seed ^ 0x5eed, compareWarmup, true) : List.of(), prepare(seed, count, true),
				clients, "the same transactions, profiles stripped");
		System.out.printf("side by side (%d clients, %d measured after %d and %d warm-up bundles):%n", clients, count,
				warmup, compareWarmup);
		System.out.printf("  %-40s %10s %10s %10s %10s%n", "server", "bundles/s", "p50 ms", "p95 ms", "p99 ms");
		for (Summary s : List.of(ours, other)) {
			System.out.printf("  %-40s %10.1f %10.1f %10.1f %10.1f%n", s.target(), s.bundlesPerSecond(), s.p50(),
					s.p95(), s.p99());
		}
		System.out.printf("ratio: %.2fx the throughput, p99 %.2fx%n",
				ours.bundlesPerSecond() / other.bundlesPerSecond(), ours.p99() / other.p99());
		System.exit(ours.allAccepted() && other.allAccepted() ? 0 : 1);
	}

	/** What one server did with one set of messages. */
	private record Summary(String target, double bundlesPerSecond, double p50, double p95, double p99,
			boolean allAccepted) {
	}

	private static Summary measure(HttpClient client, Target target, List<Prepared> warm, List<Prepared> measured,
			int clients, String what) throws InterruptedException {
		if (!warm.isEmpty()) {
			System.out.printf("Warm-up of %s: %d bundles (not measured)%n", target.url(), warm.size());
			run(client, target, warm, clients);
		}
		System.out.printf("Posting %d %s to %s with %d concurrent clients%n", measured.size(), what, target.url(),
				clients);
		Result r = run(client, target, measured, clients);
		long[] sorted = r.latenciesNanos.clone();
		Arrays.sort(sorted);
		double seconds = r.elapsedNanos / 1e9;
		long resources = measured.stream().mapToLong(Prepared::resources).sum();
		System.out.printf("status counts: %s%n", r.statuses);
		System.out.printf("elapsed %.2f s | %.1f bundles/s | %.0f resources/s (%.1f resources per bundle)%n", seconds,
				measured.size() / seconds, resources / seconds, resources / (double) measured.size());
		System.out.printf("latency ms: p50 %.1f | p95 %.1f | p99 %.1f | max %.1f%n", pct(sorted, 50), pct(sorted, 95),
				pct(sorted, 99), sorted[sorted.length - 1] / 1e6);
		if (!r.firstError.isEmpty()) {
			System.out.println("first error: " + r.firstError.get(0));
		}
		return new Summary(target.url(), measured.size() / seconds, pct(sorted, 50), pct(sorted, 95), pct(sorted, 99),
				r.statuses.keySet().stream().allMatch(s -> s == 200));
	}

	private record Result(long elapsedNanos, long[] latenciesNanos, Map<Integer, Integer> statuses,
			List<String> firstError) {
	}

	/**
	 * The messages of a format; for the kernset the women are registered first (not
	 * measured: the kernset carries no name or municipality, her EHR registers her once).
	 */
	private static List<Prepared> prepare(String format, long seed, int count, HttpClient client, String url,
			AccessToken token, boolean withoutProfiles) throws IOException, InterruptedException {
		if (format.equals("r4")) {
			return prepare(seed, count, withoutProfiles);
		}
		List<InboundSamples.Sample> samples = format.equals("stu3")
				? InboundSamples.stu3(Path.of("gateway/src/test/resources/stu3/wouden-zwanger3.xml"), seed, count)
				: InboundSamples.kernset(Path.of("gateway/src/test/resources/kernset/scenario1-23.xml"), seed, count);
		if (format.equals("kernset")) {
			for (InboundSamples.Sample s : samples) {
				HttpResponse<String> r = client.send(HttpRequest
					.newBuilder(URI
						.create(url + "/Patient?identifier=http://fhir.nl/fhir/NamingSystem/bsn%7C" + s.motherBsn()))
					.header("Content-Type", "application/fhir+json")
					.header("Authorization", "Bearer " + token.get())
					.PUT(HttpRequest.BodyPublishers.ofString(InboundSamples.mother(s.motherBsn())))
					.build(), HttpResponse.BodyHandlers.ofString());
				if (r.statusCode() >= 300) {
					throw new IllegalStateException("Registering a woman failed: " + r.statusCode() + " " + r.body());
				}
			}
		}
		return samples.stream().map(s -> new Prepared(s.body(), s.resources())).toList();
	}

	private static Result run(HttpClient client, Target target, List<Prepared> bundles, int clients)
			throws InterruptedException {
		long[] latencies = new long[bundles.size()];
		Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
		List<String> firstError = java.util.Collections.synchronizedList(new ArrayList<>());
		AtomicInteger next = new AtomicInteger();
		AtomicLong failures = new AtomicLong();
		ExecutorService pool = Executors.newFixedThreadPool(clients);
		long start = System.nanoTime();
		for (int c = 0; c < clients; c++) {
			pool.submit(() -> {
				int i;
				while ((i = next.getAndIncrement()) < bundles.size()) {
					Prepared p = bundles.get(i);
					HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target.url()))
						.header("Content-Type", target.contentType())
						.timeout(Duration.ofSeconds(60))
						.POST(HttpRequest.BodyPublishers.ofString(p.json(), StandardCharsets.UTF_8));
					if (target.token() != null) {
						request.header("Authorization", "Bearer " + target.token().get());
					}
					long t = System.nanoTime();
					int status;
					try {
						HttpResponse<String> response = client.send(request.build(),
								HttpResponse.BodyHandlers.ofString());
						status = response.statusCode();
						if (status != 200 && firstError.isEmpty()) {
							firstError.add(status + " " + response.body());
						}
					}
					catch (Exception e) {
						status = -1;
						failures.incrementAndGet();
						if (firstError.isEmpty()) {
							firstError.add(e.toString());
						}
					}
					latencies[i] = System.nanoTime() - t;
					statuses.merge(status, 1, Integer::sum);
				}
				return null;
			});
		}
		pool.shutdown();
		pool.awaitTermination(1, TimeUnit.HOURS);
		return new Result(System.nanoTime() - start, latencies, new TreeMap<>(statuses), firstError);
	}

	/** The p-th percentile of sorted nanosecond values, in ms. */
	static double pct(long[] sorted, int p) {
		int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
		return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
	}

}
