package nl.kansrijkestart.tools;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One gateway as its supervisor sees it: a separate process started the README's way (the
 * extracted jar with its class-data-sharing archive when there is one), with its own
 * working directory, log and port.
 */
final class GatewayProcess {

	private final Path jar;

	private final Path workDir;

	private final int port;

	private final Map<String, String> environment;

	private final List<String> arguments;

	private Process process;

	private int starts;

	GatewayProcess(Path jar, Path workDir, int port, Map<String, String> environment, List<String> arguments) {
		this.jar = jar;
		this.workDir = workDir;
		this.port = port;
		this.environment = environment;
		this.arguments = arguments;
	}

	String url() {
		return "http://localhost:" + port + "/fhir";
	}

	/**
	 * Starts the process and waits until {@code /fhir/metadata} answers 200; returns how
	 * long that took.
	 */
	Duration start() throws IOException, InterruptedException {
		Files.createDirectories(workDir);
		List<String> command = new ArrayList<>(List
			.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+ExitOnOutOfMemoryError"));
		Path archive = jar.resolveSibling("gateway.jsa");
		if (Files.exists(archive)) {
			command.add("-XX:SharedArchiveFile=" + archive);
		}
		command.addAll(List.of("-jar", jar.toString(), "--server.port=" + port));
		command.addAll(arguments);
		ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
			.redirectErrorStream(true)
			.redirectOutput(workDir.resolve("gateway-" + (++starts) + ".log").toFile());
		builder.environment().putAll(environment);
		long begin = System.nanoTime();
		process = builder.start();
		HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
		HttpRequest metadata = HttpRequest.newBuilder(URI.create(url() + "/metadata"))
			.timeout(Duration.ofSeconds(5))
			.build();
		long deadline = begin + Duration.ofSeconds(120).toNanos();
		while (System.nanoTime() < deadline) {
			if (!process.isAlive()) {
				throw new IllegalStateException(
						"The gateway exited with " + process.exitValue() + " while starting; see " + workDir);
			}
			try {
				if (client.send(metadata, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
					return Duration.ofNanos(System.nanoTime() - begin);
				}
			}
			catch (IOException notYet) {
				// not listening yet
			}
			Thread.sleep(50);
		}
		throw new IllegalStateException("The gateway was not ready within 120 s; see " + workDir);
	}

	long pid() {
		return process.pid();
	}

	boolean alive() {
		return process != null && process.isAlive();
	}

	/** kill -9 */
	void kill() throws InterruptedException {
		process.destroyForcibly();
		process.waitFor();
	}

	/** SIGTERM, then the exit status once the process is gone. */
	int terminate(Duration patience) throws InterruptedException {
		process.destroy();
		if (!process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS)) {
			process.destroyForcibly();
			throw new IllegalStateException("The gateway did not stop within " + patience + " of SIGTERM");
		}
		return process.exitValue();
	}

	/**
	 * The exit status, once the process ends by itself within {@code patience}; -1 if it
	 * did not.
	 */
	int awaitExit(Duration patience) throws InterruptedException {
		return process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
	}

	/**
	 * The embedded PostgreSQL's postmaster, by the pid file in the default data
	 * directory.
	 */
	long embeddedPostgresPid() throws IOException {
		return Long.parseLong(Files.readAllLines(workDir.resolve("data/postgres/postmaster.pid")).get(0).trim());
	}

	/** CPU time (user + system) the process has used, in clock ticks of 10 ms. */
	long cpuTicks() throws IOException {
		String[] stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"))
			.replaceFirst("^.*\\) ", "")
			.split(" ");
		return Long.parseLong(stat[11]) + Long.parseLong(stat[12]);
	}

}
