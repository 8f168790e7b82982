package nl.kansrijkestart.gateway.fhir;

import java.lang.management.ManagementFactory;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * An OutOfMemoryError leaves the JVM in a state nobody can vouch for: any thread may have
 * died half-way (Tomcat's poller did, in a test), so the gateway would live on answering
 * nothing. The process exits instead, so that its supervisor starts a fresh one.
 * {@code -XX:+ExitOnOutOfMemoryError} (README, Dockerfile) does this in the JVM itself;
 * this guard covers a gateway started without it: uncaught on any thread, or caught by
 * HAPI while handling a request.
 */
@Component
class FatalErrors {

	private static final Logger log = LoggerFactory.getLogger(FatalErrors.class);
	static final int EXIT_STATUS = 3;

	private final IntConsumer halt;

	FatalErrors() {
		this(status -> Runtime.getRuntime().halt(status));
		Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
		Thread.setDefaultUncaughtExceptionHandler((thread, error) -> {
			haltIfFatal(error);
			if (previous != null) {
				previous.uncaughtException(thread, error);
			}
		});
		if (!ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-XX:+ExitOnOutOfMemoryError")) {
			log.warn("Started without -XX:+ExitOnOutOfMemoryError: the gateway's own guard stops the process on an"
					+ " OutOfMemoryError it sees; start it with the flag (README) so the JVM does it everywhere");
		}
	}

	FatalErrors(IntConsumer halt) {
		this.halt = halt;
	}

	/**
	 * Stops the process if {@code error} (or what caused it) means the JVM cannot be
	 * trusted any more.
	 */
	void haltIfFatal(Throwable error) {
		for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
			// A StackOverflowError unwinds cleanly and is answered like any failure;
			// memory does not come back.
			if (t instanceof OutOfMemoryError) {
				// Printed, not logged: logging may need memory that is not there.
				System.err
					.println("Fatal " + t.getClass().getName() + ": the gateway stops so that it can be restarted");
				halt.accept(EXIT_STATUS);
				return;
			}
		}
	}

}
