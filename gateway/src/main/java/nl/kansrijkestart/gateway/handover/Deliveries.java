package nl.kansrijkestart.gateway.handover;

import ca.uhn.fhir.context.FhirContext;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import org.springframework.boot.ssl.SslBundles;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import nl.kansrijkestart.gateway.consent.ConsentDecision;
import nl.kansrijkestart.gateway.consent.ConsentService;
import nl.kansrijkestart.gateway.consent.Purpose;
import nl.kansrijkestart.gateway.store.DatabaseNotifications;
import nl.kansrijkestart.gateway.store.ResourceStore;
import nl.kansrijkestart.gateway.store.StoredResource;
import nl.kansrijkestart.gateway.store.WorkSignal;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.stereotype.Component;

/**
 * Pushes due documents to their JGZ endpoints ({@code POST [base]/Bundle}). A short
 * transaction claims due outbox rows with a lease ({@code FOR UPDATE SKIP LOCKED}:
 * several instances share the outbox); the POST is made outside any transaction, on a
 * bounded pool, with at most {@code perEndpoint} in flight to one endpoint, so a stalling
 * receiver holds up only its own deliveries; the outcome is recorded in a second short
 * transaction. Per handover, documents go oldest first, one at a time. The consent is
 * checked again (and logged) before each POST; a 2xx marks it delivered, anything else
 * schedules a retry with exponential backoff until the attempts run out and it is
 * dead-lettered.
 *
 * <p>
 * At least once: a gateway that dies while sending leaves the lease to run out, and the
 * document is claimed and sent again. The same Bundle identifier goes out on every
 * attempt, so the receiver drops duplicates by it; a retry after a timeout (the receiver
 * may have taken the document) is counted in
 * {@code gateway.handover.possible-duplicates}.
 */
@Component
class Deliveries implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(Deliveries.class);

	/**
	 * Due items, oldest first: only the oldest pending item of each handover, none whose
	 * lease is still running, and per endpoint no more than its free places (the bound
	 * less what is in flight), so that a backlog at a stalling endpoint cannot crowd the
	 * others out of the batch. With each: the endpoint's own timeout from the routing
	 * table (null: the default).
	 */
	private static final String DUE = "select d.id, d.handover_id, d.task_id, d.document_id, d.bundle_identifier, d.recipient,"
			+ " d.endpoint, d.attempts, h.mother, h.child, d.last_error, (select max(r.endpoint_timeout_ms) from jgz_route r"
			+ " where r.endpoint = d.endpoint) from handover_delivery d join handover h on"
			+ " h.id = d.handover_id where d.id in (select id from (select c.id, c.next_attempt_at, row_number() over (partition by"
			+ " c.endpoint order by c.next_attempt_at, c.id) + (select count(*) from handover_delivery f where f.endpoint = c.endpoint"
			+ " and f.status = 'pending' and f.lease_until >= now()) as place from handover_delivery c where c.status = 'pending'"
			+ " and c.next_attempt_at <= now() and (c.lease_until is null or c.lease_until < now()) and not exists (select 1 from"
			+ " handover_delivery e where e.order_key = c.order_key and e.status = 'pending' and e.id < c.id)) ranked where place <= ?"
			+ " order by next_attempt_at, id limit ?) and d.status = 'pending' and (d.lease_until is null or d.lease_until < now())"
			+ " order by d.next_attempt_at, d.id for update of d skip locked";

	/**
	 * How long until the next delivery falls due (a retry's backoff, a lease running
	 * out), in ms: the heads of the handovers only, as the others wait for them.
	 */
	private static final String NEXT_DUE = "select extract(epoch from min(greatest(d.next_attempt_at, coalesce(d.lease_until,"
			+ " d.next_attempt_at))) - now()) * 1000 from handover_delivery d where d.status = 'pending' and not exists (select 1"
			+ " from handover_delivery e where e.order_key = d.order_key and e.status = 'pending' and e.id < d.id)";

	private static final String TIMEOUT = "no answer within ";

	/**
	 * @param endpointTimeout the endpoint's own push timeout, or null for the default
	 */
	record Item(long id, UUID handoverId, String taskId, String documentId, String bundleIdentifier, String recipient,
			String endpoint, int attempts, String mother, String child, String lastError, Duration endpointTimeout) {
		String subject() {
			return child.isEmpty() ? mother : child;
		}
	}

	private static final RowMapper<Item> ROW = (rs, n) -> new Item(rs.getLong(1), rs.getObject(2, UUID.class),
			rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getInt(8),
			rs.getString(9), rs.getString(10), rs.getString(11),
			rs.getObject(12) == null ? null : Duration.ofMillis(rs.getLong(12)));

	private final JdbcTemplate jdbc;

	private final ResourceStore store;

	private final JgzResources jgz;

	private final ConsentService consent;

	private final HandoverProperties.Delivery properties;

	private final FhirContext fhirContext;

	private final MeterRegistry meters;

	private final HttpClient client;

	private final TransactionTemplate transactions;

	private final Semaphore slots;

	private final WorkSignal work;

	/** Claimed by this instance and not yet recorded. */
	private final Set<Long> claimed = ConcurrentHashMap.newKeySet();

	private final ExecutorService senders;

	private volatile boolean running;

	Deliveries(JdbcTemplate jdbc, ResourceStore store, JgzResources jgz, ConsentService consent,
			HandoverProperties properties, FhirContext fhirContext, MeterRegistry meters,
			TransactionTemplate transactions, DatabaseNotifications notifications, SslBundles sslBundles) {
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.store = store;
		this.jgz = jgz;
		this.consent = consent;
		this.properties = properties.delivery();
		this.fhirContext = fhirContext;
		this.meters = meters;
		HttpClient.Builder client = HttpClient.newBuilder()
			.connectTimeout(this.properties.timeout())
			.followRedirects(HttpClient.Redirect.NEVER);
		if (this.properties.sslBundle() != null) {
			client.sslContext(sslBundles.getBundle(this.properties.sslBundle()).createSslContext());
		}
		this.client = client.build();
		meters.gauge("gateway.handover.dead-letters", jdbc,
				j -> j.queryForObject("select count(*) from handover_delivery where status = 'dead'", Long.class));
		this.slots = new Semaphore(this.properties.concurrency());
		this.work = notifications.signalFor("handover_delivery");
		this.senders = Executors.newFixedThreadPool(this.properties.concurrency(), r -> {
			Thread t = new Thread(r, "handover-push");
			t.setDaemon(true);
			return t;
		});
	}

	/**
	 * Claims what is due (as many as there are free senders) and hands each to a sender.
	 * The tick is in memory: the outbox is queried only when it announced work, when work
	 * falls due or at the idle interval ({@link WorkSignal}).
	 */
	@Scheduled(fixedDelayString = "${gateway.handover.delivery.poll-interval}")
	synchronized void dispatch() {
		int free = slots.availablePermits();
		if (!running || free == 0 || work.skipPoll()) {
			return;
		}
		List<Item> items = claim(free);
		if (items.size() == free) {
			// every sender got one: there may be more
			work.signal();
		}
		for (Item item : items) {
			slots.acquireUninterruptibly();
			claimed.add(item.id());
			senders.execute(() -> {
				try {
					meters.timer("gateway.handover.delivery").record(() -> deliver(item));
				}
				catch (RuntimeException e) {
					// the lease runs out and the delivery is tried again
					log.warn("Handover delivery {} failed unexpectedly: {}", item.id(), e.toString());
				}
				finally {
					claimed.remove(item.id());
					slots.release();
					// the next document of this handover, or one that waited for this
					// endpoint, may be due now
					work.signal();
				}
			});
		}
	}

	/**
	 * In one short transaction: the due items to send now, each leased so that nobody
	 * else sends it meanwhile.
	 */
	private List<Item> claim(int max) {
		return transactions.execute(tx -> {
			// the query keeps each endpoint within its bound; it ranks more candidates
			// than there are senders, as rows
			// another instance has locked drop out
			List<Item> due = jdbc.query(DUE, ROW, properties.perEndpoint(), max * 4);
			List<Item> chosen = new ArrayList<>(due.subList(0, Math.min(max, due.size())));
			if (chosen.size() < max) {
				Double nextDue = jdbc.queryForObject(NEXT_DUE, Double.class);
				// due now but not chosen: its endpoint is at its bound, and a finished
				// delivery announces itself
				if (nextDue != null && nextDue > 0) {
					work.dueIn(Duration.ofMillis(nextDue.longValue() + 1));
				}
			}
			if (chosen.isEmpty()) {
				return chosen;
			}
			Instant now = Instant.now();
			jdbc.batchUpdate("update handover_delivery set lease_until = ? where id = ?", chosen, chosen.size(),
					(ps, item) -> {
						// ours for the POST's timeout plus the time to record its outcome
						ps.setTimestamp(1, Timestamp.from(now.plus(timeoutOf(item).plusSeconds(10))));
						ps.setLong(2, item.id());
					});
			return chosen;
		});
	}

	@Override
	public void start() {
		running = true;
	}

	/** Stops claiming and lets the POSTs in flight finish (or their leases run out). */
	@Override
	public void stop() {
		// Under the dispatch lock: once this is set, nothing more is claimed.
		synchronized (this) {
			running = false;
		}
		senders.shutdown();
		try {
			senders.awaitTermination(properties.timeout().toMillis() + 2000, TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		// What was claimed but not sent goes back at once: another instance (or the next
		// start) need not wait out the lease.
		Long[] unsent = claimed.toArray(Long[]::new);
		if (unsent.length > 0) {
			// naming status announces the delivery to the other instances (Flyway V10)
			jdbc.update(
					"update handover_delivery set status = 'pending', lease_until = null where id = any(?) and status = 'pending'",
					(Object) unsent);
		}
	}

	@Override
	public boolean isRunning() {
		return running;
	}

	private void deliver(Item item) {
		Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
		ConsentDecision decision = consent
			.gate(item.subject(), Purpose.HANDOVER, item.recipient(), now,
					"Task/" + item.taskId() + " push delivery, attempt " + (item.attempts() + 1))
			.orElse(null);
		if (decision == null || decision.outcome() == ConsentDecision.Outcome.DENY) {
			jdbc.update(
					"update handover_delivery set status = 'cancelled', lease_until = null, last_error = ? where id = ?",
					decision == null ? "the person's record is gone" : "consent: " + decision.reason(), item.id());
			meters.counter("gateway.handover.deliveries", "outcome", "cancelled").increment();
			return;
		}
		if (!decision.permitted()) {
			// Unknown (registry down): not a failure of the receiver; ask again later
			// without using up an attempt.
			jdbc.update(
					"update handover_delivery set status = 'pending', next_attempt_at = ?, lease_until = null, last_error = ?"
							+ " where id = ? and status = 'pending'",
					Timestamp.from(now.plus(properties.initialBackoff())), "consent unknown: " + decision.reason(),
					item.id());
			return;
		}
		String failure = post(item);
		transactions.executeWithoutResult(tx -> record(item, failure, Instant.now().truncatedTo(ChronoUnit.MILLIS)));
	}

	/** The outcome of one POST, and the lease given back. */
	private void record(Item item, String failure, Instant now) {
		int attempts = item.attempts() + 1;
		if (failure == null) {
			jdbc.update(
					"update handover_delivery set status = 'delivered', attempts = ?, delivered_at = ?, last_error = null,"
							+ " lease_until = null where id = ?",
					attempts, Timestamp.from(now), item.id());
			businessStatus(item.taskId(), "delivered", now);
			meters.counter("gateway.handover.deliveries", "outcome", "delivered").increment();
			if (item.lastError() != null && item.lastError().startsWith(TIMEOUT)) {
				// The receiver may have taken the timed-out attempt too: it drops the
				// copy by Bundle.identifier.
				meters.counter("gateway.handover.possible-duplicates").increment();
			}
			return;
		}
		if (attempts >= properties.maxAttempts()) {
			jdbc.update(
					"update handover_delivery set status = 'dead', attempts = ?, last_error = ?, lease_until = null where id = ?",
					attempts, failure, item.id());
			businessStatus(item.taskId(),
					"dead-letter: not delivered after " + attempts + " attempts (" + failure + ")", now);
			meters.counter("gateway.handover.deliveries", "outcome", "dead").increment();
			log.warn("Handover delivery {} dead after {} attempts: {}", item.id(), attempts, failure);
			return;
		}
		Duration backoff = properties.initialBackoff().multipliedBy(1L << Math.min(attempts - 1, 20));
		if (backoff.compareTo(properties.maxBackoff()) > 0) {
			backoff = properties.maxBackoff();
		}
		// status named, though unchanged: the other instances hear that this endpoint has
		// a free slot (Flyway V10)
		jdbc.update(
				"update handover_delivery set status = 'pending', attempts = ?, next_attempt_at = ?, last_error = ?,"
						+ " lease_until = null where id = ? and status = 'pending'",
				attempts, Timestamp.from(now.plus(backoff)), failure, item.id());
		meters.counter("gateway.handover.deliveries", "outcome", "retry").increment();
		log.debug("Handover delivery {} attempt {} failed: {}", item.id(), attempts, failure);
	}

	/** The endpoint's own push timeout, else the default. */
	private Duration timeoutOf(Item item) {
		return item.endpointTimeout() != null ? item.endpointTimeout() : properties.timeout();
	}

	/**
	 * POSTs the document within the endpoint's timeout; null when the receiver took it,
	 * else why not.
	 */
	private String post(Item item) {
		Duration timeout = timeoutOf(item);
		StoredResource document = store.read("Bundle", item.documentId(), item.recipient()).orElse(null);
		if (document == null) {
			return "the document is gone";
		}
		String body = fhirContext.newJsonParser()
			.encodeResourceToString(fhirContext.newJsonParser()
				.parseResource(org.hl7.fhir.r4.model.Bundle.class, document.json())
				.setId((String) null));
		HttpRequest request = HttpRequest.newBuilder(URI.create(item.endpoint().replaceAll("/+$", "") + "/Bundle"))
			.timeout(timeout)
			.header("Content-Type", "application/fhir+json")
			.header("Accept", "application/fhir+json")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build();
		CompletableFuture<HttpResponse<Void>> call = client.sendAsync(request, HttpResponse.BodyHandlers.discarding());
		try {
			int status = call.get(timeout.toMillis(), TimeUnit.MILLISECONDS).statusCode();
			return status >= 200 && status < 300 ? null : "HTTP " + status;
		}
		catch (TimeoutException e) {
			call.cancel(true);
			return TIMEOUT + timeout;
		}
		catch (ExecutionException e) {
			return e.getCause() instanceof IOException
					? "connection failed (" + e.getCause().getClass().getSimpleName() + ")"
					: "request failed (" + e.getCause().getClass().getSimpleName() + ")";
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return "interrupted";
		}
	}

	private void businessStatus(String taskId, String text, Instant now) {
		jgz.changeTask(taskId, now, task -> {
			task.setBusinessStatus(new CodeableConcept().setText(text));
			return true;
		});
	}

}
