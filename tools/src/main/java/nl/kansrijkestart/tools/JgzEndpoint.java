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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;

/**
 * Plays the JGZ organisations' FHIR endpoints for the benchmarks and the fault run:
 * {@code POST <name>/fhir/Bundle} for each named endpoint, answering 201 (after a stall,
 * when one is set). It notes when each mother's postnatal document first arrived and how
 * often each document (by {@code Bundle.identifier}) came.
 */
final class JgzEndpoint implements AutoCloseable {

	private static final String BSN = "http://fhir.nl/fhir/NamingSystem/bsn";

	private final HttpServer server;

	private final Map<String, Long> postnatalArrivals = new ConcurrentHashMap<>();

	private final Map<String, Integer> copies = new ConcurrentHashMap<>();

	private final Map<String, Duration> stalls = new ConcurrentHashMap<>();

	private final AtomicInteger pushes = new AtomicInteger();

	JgzEndpoint(List<String> names, int port) throws IOException {
		FhirContext ctx = FhirContext.forR4Cached();
		server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
		server.setExecutor(Executors.newCachedThreadPool());
		for (String name : names) {
			server.createContext("/" + name + "/fhir/Bundle", exchange -> {
				long now = System.nanoTime();
				byte[] body = exchange.getRequestBody().readAllBytes();
				pushes.incrementAndGet();
				Bundle document = ctx.newJsonParser()
					.parseResource(Bundle.class, new String(body, StandardCharsets.UTF_8));
				copies.merge(document.getIdentifier().getValue(), 1, Integer::sum);
				Composition composition = (Composition) document.getEntryFirstRep().getResource();
				if ("postnatal".equals(composition.getCategoryFirstRep().getCodingFirstRep().getCode())) {
					// The mother's BSN names the pregnancy; the first arrival counts.
					document.getEntry()
						.stream()
						.map(Bundle.BundleEntryComponent::getResource)
						.filter(Patient.class::isInstance)
						.flatMap(p -> ((Patient) p).getIdentifier().stream())
						.filter(i -> BSN.equals(i.getSystem()))
						.map(Identifier::getValue)
						.forEach(bsn -> postnatalArrivals.putIfAbsent(bsn, now));
				}
				Duration stall = stalls.get(name);
				if (stall != null) {
					try {
						Thread.sleep(stall.toMillis());
					}
					catch (InterruptedException e) {
						Thread.currentThread().interrupt();
					}
				}
				exchange.sendResponseHeaders(201, -1);
				exchange.close();
			});
		}
		server.start();
	}

	/** The base URL the routing table names for this endpoint. */
	String url(String name) {
		return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + name + "/fhir";
	}

	/** Every answer from this endpoint comes after {@code stall} (null: at once). */
	void stall(String name, Duration stall) {
		if (stall == null) {
			stalls.remove(name);
		}
		else {
			stalls.put(name, stall);
		}
	}

	/** Mother's BSN → System.nanoTime() of her postnatal document's first arrival. */
	Map<String, Long> postnatalArrivals() {
		return postnatalArrivals;
	}

	/** Documents that arrived more than once. */
	long duplicates() {
		return copies.values().stream().filter(n -> n > 1).count();
	}

	int pushes() {
		return pushes.get();
	}

	/**
	 * Writes the routing table (every generated municipality to the endpoint
	 * {@code endpointFor} names) and, when the gateway is up, asks it to reload the
	 * table.
	 */
	void writeRouting(Path file, Function<PregnancyGenerator.Municipality, String> endpointFor) throws IOException {
		StringBuilder table = new StringBuilder("municipality,organization,name,endpoint\n");
		for (PregnancyGenerator.Municipality m : PregnancyGenerator.MUNICIPALITIES) {
			table.append(m.code())
				.append(",http://fhir.nl/fhir/NamingSystem/ura|90000")
				.append(m.code().substring(3))
				.append(",JGZ ")
				.append(m.name().replace(",", " "))
				.append(',')
				.append(url(endpointFor.apply(m)))
				.append('\n');
		}
		Files.writeString(file, table);
	}

	/**
	 * Asks the gateway to reload its routing table; false when it did not (not started
	 * with this file).
	 */
	static boolean reloadRouting(HttpClient client, String url) throws IOException, InterruptedException {
		AccessToken admin = new AccessToken(client, url.replaceFirst("/fhir/?$", "") + "/oauth2/token", "admin-demo",
				"admin-demo-secret");
		HttpResponse<String> reload = client.send(HttpRequest.newBuilder(URI.create(url + "/$reload-routing"))
			.header("Authorization", "Bearer " + admin.get())
			.header("Content-Type", "application/fhir+json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"resourceType\":\"Parameters\"}"))
			.build(), HttpResponse.BodyHandlers.ofString());
		return reload.statusCode() == 200;
	}

	@Override
	public void close() {
		server.stop(0);
	}

}
