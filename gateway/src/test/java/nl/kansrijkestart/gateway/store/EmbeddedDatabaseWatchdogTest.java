package nl.kansrijkestart.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class EmbeddedDatabaseWatchdogTest {

	private final AtomicBoolean alive = new AtomicBoolean(true);

	private final List<Integer> halted = new ArrayList<>();

	private final EmbeddedDatabaseWatchdog watchdog = new EmbeddedDatabaseWatchdog(alive::get, halted::add);

	@Test
	void aDeadServerStopsTheGatewayForItsSupervisor() {
		watchdog.start();
		watchdog.check();
		assertThat(halted).isEmpty();
		alive.set(false);
		watchdog.check();
		assertThat(halted).containsExactly(EmbeddedDatabaseWatchdog.EXIT_STATUS);
	}

	@Test
	void aShutdownIsNotACrash() {
		watchdog.start();
		watchdog.stop();
		alive.set(false);
		watchdog.check();
		assertThat(halted).isEmpty();
	}

}
