package nl.kansrijkestart.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import nl.kansrijkestart.gateway.support.FhirHttp;
import nl.kansrijkestart.tools.PregnancyGenerator;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM to a gateway on its embedded database while writes are in flight: the web
 * server drains them and the database stops last, so every request that had started
 * completes. Runs a real gateway process, as a supervisor would stop it.
 */
class GracefulShutdownTest {

	@Test
	void writesInFlightCompleteAfterSigterm() throws Exception {
		int port;
		try (ServerSocket free = new ServerSocket(0)) {
			port = free.getLocalPort();
		}
		Path data = Path.of("target", "graceful", UUID.randomUUID().toString(), "postgres");
		Process gateway = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
				"-Dspring.profiles.active=test", GatewayApplication.class.getName(), "--server.port=" + port,
				"--spring.datasource.url=", "--gateway.embedded-database.data-directory=" + data)
			.redirectErrorStream(true)
			.redirectOutput(Path.of("target", "graceful-shutdown.log").toFile())
			.start();
		ExecutorService clients = Executors.newFixedThreadPool(8);
		try {
			FhirHttp http = new FhirHttp(port);
			awaitReady(http, gateway);
			String token = http.token("vsv-a");
			CountDownLatch halfSent = new CountDownLatch(8);
			List<Future<String>> answers = new ArrayList<>();
			for (int i = 0; i < 8; i++) {
				byte[] body = FhirHttp.json(new PregnancyGenerator(61_000 + i).next().bundle())
					.getBytes(StandardCharsets.UTF_8);
				answers.add(clients.submit(() -> {
					try (Socket socket = new Socket("localhost", port)) {
						socket.setSoTimeout(60_000);
						OutputStream out = socket.getOutputStream();
						out.write(
								("POST /fhir HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/fhir+json\r\nAuthorization: Bearer "
										+ token + "\r\nContent-Length: " + body.length
										+ "\r\nConnection: close\r\n\r\n")
									.getBytes(StandardCharsets.ISO_8859_1));
						out.write(body, 0, body.length / 2);
						out.flush();
						halfSent.countDown();
						// The rest arrives after the SIGTERM.
						Thread.sleep(1500);
						out.write(body, body.length / 2, body.length - body.length / 2);
						out.flush();
						InputStream in = socket.getInputStream();
						return new String(in.readAllBytes(), StandardCharsets.UTF_8);
					}
				}));
			}
			assertThat(halfSent.await(30, TimeUnit.SECONDS)).isTrue();
			Thread.sleep(300);
			gateway.destroy();
			for (Future<String> answer : answers) {
				assertThat(answer.get(90, TimeUnit.SECONDS)).startsWith("HTTP/1.1 200")
					.contains("transaction-response");
			}
			assertThat(gateway.waitFor(60, TimeUnit.SECONDS)).as("the gateway exits after draining").isTrue();
		}
		finally {
			clients.shutdownNow();
			gateway.destroyForcibly();
		}
	}

	private static void awaitReady(FhirHttp http, Process gateway) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
		while (System.nanoTime() < deadline) {
			assertThat(gateway.isAlive()).as("the gateway process is running (target/graceful-shutdown.log)").isTrue();
			try {
				if (http.as(null).get("/fhir/metadata").status() == 200) {
					return;
				}
			}
			catch (IllegalStateException notYet) {
				// not listening yet
			}
			Thread.sleep(250);
		}
		throw new AssertionError("the gateway did not start within 120 s (target/graceful-shutdown.log)");
	}

}
