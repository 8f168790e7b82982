package nl.kansrijkestart.tools;

import ca.uhn.fhir.context.FhirContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Time from a committed, consented birth bundle (the transaction's 200) to its postnatal
 * handover document reaching the JGZ endpoint, under a steady submission rate. This
 * program plays every JGZ organisation's FHIR endpoint itself: it writes the routing
 * table the gateway reads ({@code GATEWAY_HANDOVER_ROUTING_FILE}) and asks the gateway to
 * reload it.
 */
final class HandoverBench {

	private HandoverBench() {
	}

	static void run(Map<String, String> options) throws Exception {
		String url = options.getOrDefault("url", "http://localhost:8080/fhir");
		Path routing = Path.of(options.getOrDefault("routing-file", "/tmp/kansrijke-start-bench-routing.csv"));
		int count = Integer.parseInt(options.getOrDefault("count", "500"));
		int warmup = Integer.parseInt(options.getOrDefault("warmup", "100"));
		double rate = Double.parseDouble(options.getOrDefault("rate", "10"));
		long seed = Long.parseLong(options.getOrDefault("seed", Long.toString(System.currentTimeMillis())));
		FhirContext ctx = FhirContext.forR4Cached();

		JgzEndpoint jgz = new JgzEndpoint(List.of("jgz"), Integer.parseInt(options.getOrDefault("port", "0")));
		Map<String, Long> arrived = jgz.postnatalArrivals();
		String endpoint = jgz.url("jgz");
		jgz.writeRouting(routing, m -> "jgz");

		HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
		String tokenUrl = url.replaceFirst("/fhir/?$", "") + "/oauth2/token";
		if (!JgzEndpoint.reloadRouting(client, url)) {
			System.err.println("The gateway did not reload " + routing
					+ ": start it with GATEWAY_HANDOVER_ROUTING_FILE=file:" + routing);
			System.exit(1);
		}
		AccessToken submitter = new AccessToken(client, tokenUrl, options.getOrDefault("client-id", "vsv-demo"),
				options.getOrDefault("client-secret", "vsv-demo-secret"));
		System.out.printf("JGZ endpoint %s; %d warm-up + %d consented pregnancies at %.1f/s (seed %d)%n", endpoint,
				warmup, count, rate, seed);

		PregnancyGenerator generator = new PregnancyGenerator(seed);
		var parser = ctx.newJsonParser();
		Map<String, Long> committed = new ConcurrentHashMap<>();
		List<String> measured = new ArrayList<>();
		long intervalNanos = (long) (1e9 / rate);
		long start = System.nanoTime();
		for (int i = 0; i < warmup + count; i++) {
			long due = start + i * intervalNanos;
			long wait = due - System.nanoTime();
			if (wait > 0) {
				Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
			}
			var pregnancy = generator.next();
			String body = parser.encodeResourceToString(
					Consents.withPermit(pregnancy.bundle(), "2024-01-01T10:00:00+01:00", Consents.TREAT));
			HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url))
				.header("Content-Type", "application/fhir+json")
				.header("Authorization", "Bearer " + submitter.get())
				.POST(HttpRequest.BodyPublishers.ofString(body))
				.build(), HttpResponse.BodyHandlers.ofString());
			if (r.statusCode() != 200) {
				System.err.println("Submission failed: " + r.statusCode() + " " + r.body());
				System.exit(1);
			}
			committed.put(pregnancy.truth().motherBsn(), System.nanoTime());
			boolean live = pregnancy.truth().children().stream().anyMatch(PregnancyGenerator.ChildTruth::liveBirth);
			if (i >= warmup && live) {
				measured.add(pregnancy.truth().motherBsn());
			}
		}
		long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		while (!arrived.keySet().containsAll(measured) && System.nanoTime() < deadline) {
			Thread.sleep(50);
		}
		jgz.close();
		long[] latencies = measured.stream()
			.filter(arrived::containsKey)
			.mapToLong(b -> arrived.get(b) - committed.get(b))
			.sorted()
			.toArray();
		System.out.printf("postnatal documents pushed: %d of %d measured (%d pushes in all, warm-up included)%n",
				latencies.length, measured.size(), jgz.pushes());
		if (latencies.length > 0) {
			System.out.printf("commit -> push ms: p50 %.0f | p95 %.0f | p99 %.0f | max %.0f%n",
					ToolsMain.pct(latencies, 50), ToolsMain.pct(latencies, 95), ToolsMain.pct(latencies, 99),
					latencies[latencies.length - 1] / 1e6);
		}
		System.exit(latencies.length == measured.size() ? 0 : 1);
	}

}
