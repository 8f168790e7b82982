package nl.kansrijkestart.tools;

import ca.uhn.fhir.context.FhirContext;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;

/**
 * Time from a committed, consented birth bundle (the transaction's 200) to its postnatal handover document reaching
 * the JGZ endpoint, under a steady submission rate. This program plays every JGZ organisation's FHIR endpoint itself:
 * it writes the routing table the gateway reads ({@code GATEWAY_HANDOVER_ROUTING_FILE}) and asks the gateway to reload it.
 */
final class HandoverBench {

	private static final String BSN = "http://fhir.nl/fhir/NamingSystem/bsn";

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

		Map<String, Long> arrived = new ConcurrentHashMap<>();
		AtomicInteger pushes = new AtomicInteger();
		HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(options.getOrDefault("port", "0"))), 0);
		server.setExecutor(Executors.newFixedThreadPool(4));
		server.createContext("/fhir/Bundle", exchange -> {
			long now = System.nanoTime();
			byte[] body = exchange.getRequestBody().readAllBytes();
			pushes.incrementAndGet();
			Bundle document = ctx.newJsonParser().parseResource(Bundle.class, new String(body, StandardCharsets.UTF_8));
			Composition composition = (Composition) document.getEntryFirstRep().getResource();
			if ("postnatal".equals(composition.getCategoryFirstRep().getCodingFirstRep().getCode())) {
				// The mother's BSN names the pregnancy; the first arrival counts.
				document.getEntry().stream().map(Bundle.BundleEntryComponent::getResource).filter(Patient.class::isInstance)
						.flatMap(p -> ((Patient) p).getIdentifier().stream()).filter(i -> BSN.equals(i.getSystem()))
						.map(Identifier::getValue).forEach(bsn -> arrived.putIfAbsent(bsn, now));
			}
			exchange.sendResponseHeaders(201, -1);
			exchange.close();
		});
		server.start();
		String endpoint = "http://127.0.0.1:" + server.getAddress().getPort() + "/fhir";
		StringBuilder table = new StringBuilder("municipality,organization,name,endpoint\n");
		for (PregnancyGenerator.Municipality m : PregnancyGenerator.MUNICIPALITIES) {
			table.append(m.code()).append(",http://fhir.nl/fhir/NamingSystem/ura|90000").append(m.code().substring(3)).append(",JGZ ")
					.append(m.name().replace(",", " ")).append(',').append(endpoint).append('\n');
		}
		Files.writeString(routing, table);

		HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
		String tokenUrl = url.replaceFirst("/fhir/?$", "") + "/oauth2/token";
		AccessToken admin = new AccessToken(client, tokenUrl, "admin-demo", "admin-demo-secret");
		HttpResponse<String> reload = client.send(HttpRequest.newBuilder(URI.create(url + "/$reload-routing"))
				.header("Authorization", "Bearer " + admin.get()).header("Content-Type", "application/fhir+json")
				.POST(HttpRequest.BodyPublishers.ofString("{\"resourceType\":\"Parameters\"}")).build(), HttpResponse.BodyHandlers.ofString());
		if (reload.statusCode() != 200) {
			System.err.println("The gateway did not reload " + routing + " (" + reload.statusCode() + "): start it with"
					+ " GATEWAY_HANDOVER_ROUTING_FILE=file:" + routing);
			System.exit(1);
		}
		AccessToken submitter = new AccessToken(client, tokenUrl, options.getOrDefault("client-id", "vsv-demo"),
				options.getOrDefault("client-secret", "vsv-demo-secret"));
		System.out.printf("JGZ endpoint %s; %d warm-up + %d consented pregnancies at %.1f/s (seed %d)%n", endpoint, warmup, count, rate, seed);

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
			String body = parser.encodeResourceToString(Consents.withPermit(pregnancy.bundle(), "2024-01-01T10:00:00+01:00", Consents.TREAT));
			HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/fhir+json")
					.header("Authorization", "Bearer " + submitter.get()).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
					HttpResponse.BodyHandlers.ofString());
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
		server.stop(0);
		long[] latencies = measured.stream().filter(arrived::containsKey).mapToLong(b -> arrived.get(b) - committed.get(b)).sorted().toArray();
		System.out.printf("postnatal documents pushed: %d of %d measured (%d pushes in all, warm-up included)%n", latencies.length,
				measured.size(), pushes.get());
		if (latencies.length > 0) {
			System.out.printf("commit -> push ms: p50 %.0f | p95 %.0f | p99 %.0f | max %.0f%n", pct(latencies, 50), pct(latencies, 95),
					pct(latencies, 99), latencies[latencies.length - 1] / 1e6);
		}
		System.exit(latencies.length == measured.size() ? 0 : 1);
	}

	private static double pct(long[] sorted, int p) {
		int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
		return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
	}
}
