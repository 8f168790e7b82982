package nl.kansrijkestart.gateway.store;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.springframework.integration.scheduling.PollSkipStrategy;

/**
 * When a poller should query its queue table: after a notification that the table got
 * work, while its last query found work, once work it was told of falls due, and
 * otherwise only every idle interval (the safety net for a notification missed while
 * {@link DatabaseNotifications} reconnected). The poller's own tick is in memory, so an
 * idle gateway makes no queries while new work is still seen within a tick.
 */
public final class WorkSignal implements PollSkipStrategy {

	private static final long NOTHING_DUE = Long.MAX_VALUE;

	private final AtomicBoolean pending = new AtomicBoolean(true);

	private final AtomicLong dueAt = new AtomicLong(NOTHING_DUE);

	private final long idleNanos;

	private final LongSupplier nanoClock;

	private volatile long lastQuery;

	WorkSignal(Duration idleInterval, LongSupplier nanoClock) {
		this.idleNanos = idleInterval.toNanos();
		this.nanoClock = nanoClock;
		this.lastQuery = nanoClock.getAsLong();
	}

	/** There is (or may be) work now: query at the next tick. */
	public void signal() {
		pending.set(true);
	}

	/**
	 * Work falls due after this delay (e.g. a retry's backoff): query then, unless
	 * signalled earlier.
	 */
	public void dueIn(Duration delay) {
		long at = nanoClock.getAsLong() + Math.max(0, delay.toNanos());
		dueAt.accumulateAndGet(at, (current, next) -> current == NOTHING_DUE || next - current < 0 ? next : current);
	}

	/** Whether this tick can pass without a query; false consumes the signal. */
	@Override
	public boolean skipPoll() {
		long now = nanoClock.getAsLong();
		long due = dueAt.get();
		boolean fallenDue = due != NOTHING_DUE && now - due >= 0;
		if (pending.getAndSet(false) || fallenDue || now - lastQuery >= idleNanos) {
			if (fallenDue) {
				dueAt.compareAndSet(due, NOTHING_DUE);
			}
			lastQuery = now;
			return false;
		}
		return true;
	}

}
