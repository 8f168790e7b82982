package nl.kansrijkestart.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WorkSignalTest {

	private final AtomicLong now = new AtomicLong(1_000_000_000L);

	private final WorkSignal signal = new WorkSignal(Duration.ofSeconds(30), now::get);

	private void advance(Duration d) {
		now.addAndGet(d.toNanos());
	}

	@Test
	void queriesOnceAtStartThenOnlyWhenTold() {
		assertThat(signal.skipPoll()).as("first tick: whatever is queued from before").isFalse();
		assertThat(signal.skipPoll()).isTrue();
		advance(Duration.ofSeconds(29));
		assertThat(signal.skipPoll()).isTrue();

		signal.signal();
		signal.signal();
		assertThat(signal.skipPoll()).as("signals coalesce into one query").isFalse();
		assertThat(signal.skipPoll()).isTrue();
	}

	@Test
	void queriesAtTheIdleIntervalAsASafetyNet() {
		signal.skipPoll();
		advance(Duration.ofSeconds(30));
		assertThat(signal.skipPoll()).isFalse();
		advance(Duration.ofSeconds(10));
		assertThat(signal.skipPoll()).as("the interval counts from the last query").isTrue();
	}

	@Test
	void queriesWhenKnownWorkFallsDueTheEarliestFirst() {
		signal.skipPoll();
		signal.dueIn(Duration.ofSeconds(8));
		signal.dueIn(Duration.ofSeconds(2));
		signal.dueIn(Duration.ofSeconds(5));
		advance(Duration.ofMillis(1999));
		assertThat(signal.skipPoll()).isTrue();
		advance(Duration.ofMillis(1));
		assertThat(signal.skipPoll()).isFalse();
		// the earlier due time is consumed; the poller learns the next one from its own
		// query
		advance(Duration.ofSeconds(4));
		assertThat(signal.skipPoll()).isTrue();
	}

}
