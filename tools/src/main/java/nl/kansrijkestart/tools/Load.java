package nl.kansrijkestart.tools;

import ca.uhn.fhir.context.FhirContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.hl7.fhir.r4.model.Bundle;

/**
 * Clients that post generated pregnancies (consented for treatment, so they are handed
 * over) as fast as the gateway takes them, round-robin over one or more base URLs, until
 * stopped; every request is recorded with what came back.
 */
final class Load {

	/**
	 * One request: when it went and came back (System.nanoTime), its status (-1: no
	 * answer) and the stored resources.
	 */
	record Sent(long startNanos, long endNanos, int status, List<String> locations, PregnancyGenerator.Truth truth,
			String error) {
		double millis() {
			return (endNanos - startNanos) / 1e6;
		}
	}

	private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final List<String> urls;

	private final AccessToken token;

	private final PregnancyGenerator generator;

	private final List<Sent> sent = Collections.synchronizedList(new ArrayList<>());

	private final List<Thread> clients = new ArrayList<>();

	private final AtomicInteger turn = new AtomicInteger();

	private volatile boolean running;

	private Duration interval = Duration.ZERO;

	Load(List<String> urls, AccessToken token, long seed) {
		this.urls = urls;
		this.token = token;
		this.generator = new PregnancyGenerator(seed);
	}

	/**
	 * One request per interval at most, over all clients (default: as fast as answered).
	 */
	void paced(Duration interval) {
		this.interval = interval;
	}

	void start(int count) {
		running = true;
		for (int i = 0; i < count; i++) {
			Thread t = new Thread(this::post, "load-" + i);
			t.start();
			clients.add(t);
		}
	}

	/**
	 * Stops sending; each client finishes (or gives up on) the request it has in flight.
	 */
	List<Sent> stop() throws InterruptedException {
		running = false;
		for (Thread t : clients) {
			t.join();
		}
		clients.clear();
		return sent();
	}

	List<Sent> sent() {
		synchronized (sent) {
			return new ArrayList<>(sent);
		}
	}

	private void post() {
		var parser = FhirContext.forR4Cached().newJsonParser();
		long begin = System.nanoTime();
		while (running) {
			long due = begin + turn.get() * interval.toNanos();
			if (due - System.nanoTime() > 0) {
				sleep(Duration.ofNanos(due - System.nanoTime()));
				continue;
			}
			PregnancyGenerator.GeneratedPregnancy pregnancy;
			synchronized (generator) {
				pregnancy = generator.next();
			}
			String body = parser.encodeResourceToString(
					Consents.withPermit(pregnancy.bundle(), "2024-01-01T10:00:00+01:00", Consents.TREAT));
			String url = urls.get(Math.floorMod(turn.getAndIncrement(), urls.size()));
			long start = System.nanoTime();
			try {
				HttpRequest request = HttpRequest.newBuilder(URI.create(url))
					.header("Content-Type", "application/fhir+json")
					.header("Authorization", "Bearer " + token.get())
					.timeout(Duration.ofSeconds(60))
					.POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
					.build();
				HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
				List<String> locations = new ArrayList<>();
				if (response.statusCode() == 200) {
					parser.parseResource(Bundle.class, response.body())
						.getEntry()
						.forEach(e -> locations.add(e.getResponse().getLocation()));
				}
				sent.add(new Sent(start, System.nanoTime(), response.statusCode(), locations, pregnancy.truth(),
						response.statusCode() == 200 ? null : response.body()));
			}
			catch (Exception e) {
				sent.add(new Sent(start, System.nanoTime(), -1, List.of(), pregnancy.truth(), e.toString()));
				// the gateway is away: do not spin while it restarts
				sleep(Duration.ofMillis(100));
			}
		}
	}

	private static void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis(), (int) (duration.toNanos() % 1_000_000));
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

}
