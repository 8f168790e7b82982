package nl.kansrijkestart.gateway.handover;

import ca.uhn.fhir.context.FhirContext;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import nl.kansrijkestart.gateway.consent.ConsentDecision;
import nl.kansrijkestart.gateway.consent.ConsentService;
import nl.kansrijkestart.gateway.consent.Purpose;
import nl.kansrijkestart.gateway.store.ResourceStore;
import nl.kansrijkestart.gateway.store.StoredResource;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;

/**
 * Pushes one due document to its JGZ endpoint ({@code POST [base]/Bundle}), inside the transaction that holds its
 * outbox row locked: the consent is checked again (and logged) first, a 2xx marks it delivered, anything else
 * schedules a retry with exponential backoff until the attempts run out and it is dead-lettered. The same Bundle
 * identifier goes out on every attempt, so the receiver can drop duplicates (a crash after sending and before commit
 * sends again).
 */
@Component
class Deliveries {

	private static final Logger log = LoggerFactory.getLogger(Deliveries.class);

	/** The oldest due item of each handover, one at a time, skipping what another instance is sending. */
	static final String DUE = "select d.id, d.handover_id, d.task_id, d.document_id, d.bundle_identifier, d.recipient, d.endpoint,"
			+ " d.attempts, h.mother, h.child from handover_delivery d join handover h on h.id = d.handover_id"
			+ " where d.status = 'pending' and d.next_attempt_at <= now()"
			+ " and not exists (select 1 from handover_delivery e where e.order_key = d.order_key and e.status = 'pending' and e.id < d.id)"
			+ " order by d.next_attempt_at, d.id limit 1 for update of d skip locked";

	record Item(long id, UUID handoverId, String taskId, String documentId, String bundleIdentifier, String recipient, String endpoint,
			int attempts, String mother, String child) {
		String subject() {
			return child.isEmpty() ? mother : child;
		}
	}

	static final RowMapper<Item> ROW = (rs, n) -> new Item(rs.getLong(1), rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4),
			rs.getString(5), rs.getString(6), rs.getString(7), rs.getInt(8), rs.getString(9), rs.getString(10));

	private final JdbcTemplate jdbc;
	private final ResourceStore store;
	private final JgzResources jgz;
	private final ConsentService consent;
	private final HandoverProperties.Delivery properties;
	private final FhirContext fhirContext;
	private final MeterRegistry meters;
	private final HttpClient client;

	Deliveries(JdbcTemplate jdbc, ResourceStore store, JgzResources jgz, ConsentService consent, HandoverProperties properties,
			FhirContext fhirContext, MeterRegistry meters) {
		this.jdbc = jdbc;
		this.store = store;
		this.jgz = jgz;
		this.consent = consent;
		this.properties = properties.delivery();
		this.fhirContext = fhirContext;
		this.meters = meters;
		this.client = HttpClient.newBuilder().connectTimeout(this.properties.timeout()).followRedirects(HttpClient.Redirect.NEVER).build();
		meters.gauge("gateway.handover.dead-letters", jdbc, j -> j.queryForObject(
				"select count(*) from handover_delivery where status = 'dead'", Long.class));
	}

	void deliverTimed(Item item) {
		meters.timer("gateway.handover.delivery").record(() -> deliver(item));
	}

	private void deliver(Item item) {
		Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
		ConsentDecision decision = consent.gate(item.subject(), Purpose.HANDOVER, item.recipient(), now,
				"Task/" + item.taskId() + " push delivery, attempt " + (item.attempts() + 1)).orElse(null);
		if (decision == null || decision.outcome() == ConsentDecision.Outcome.DENY) {
			jdbc.update("update handover_delivery set status = 'cancelled', last_error = ? where id = ?",
					decision == null ? "the person's record is gone" : "consent: " + decision.reason(), item.id());
			meters.counter("gateway.handover.deliveries", "outcome", "cancelled").increment();
			return;
		}
		if (!decision.permitted()) {
			// Unknown (registry down): not a failure of the receiver; ask again later without using up an attempt.
			jdbc.update("update handover_delivery set next_attempt_at = ?, last_error = ? where id = ?",
					Timestamp.from(now.plus(properties.initialBackoff())), "consent unknown: " + decision.reason(), item.id());
			return;
		}
		String failure = post(item);
		int attempts = item.attempts() + 1;
		if (failure == null) {
			jdbc.update("update handover_delivery set status = 'delivered', attempts = ?, delivered_at = ?, last_error = null where id = ?",
					attempts, Timestamp.from(now), item.id());
			businessStatus(item.taskId(), "delivered", now);
			meters.counter("gateway.handover.deliveries", "outcome", "delivered").increment();
			return;
		}
		if (attempts >= properties.maxAttempts()) {
			jdbc.update("update handover_delivery set status = 'dead', attempts = ?, last_error = ? where id = ?", attempts, failure, item.id());
			businessStatus(item.taskId(), "dead-letter: not delivered after " + attempts + " attempts (" + failure + ")", now);
			meters.counter("gateway.handover.deliveries", "outcome", "dead").increment();
			log.warn("Handover delivery {} dead after {} attempts: {}", item.id(), attempts, failure);
			return;
		}
		Duration backoff = properties.initialBackoff().multipliedBy(1L << Math.min(attempts - 1, 20));
		if (backoff.compareTo(properties.maxBackoff()) > 0) {
			backoff = properties.maxBackoff();
		}
		jdbc.update("update handover_delivery set attempts = ?, next_attempt_at = ?, last_error = ? where id = ?", attempts,
				Timestamp.from(now.plus(backoff)), failure, item.id());
		meters.counter("gateway.handover.deliveries", "outcome", "retry").increment();
		log.debug("Handover delivery {} attempt {} failed: {}", item.id(), attempts, failure);
	}

	/** POSTs the document; null when the receiver took it, else why not. */
	private String post(Item item) {
		StoredResource document = store.read("Bundle", item.documentId(), item.recipient()).orElse(null);
		if (document == null) {
			return "the document is gone";
		}
		String body = fhirContext.newJsonParser().encodeResourceToString(
				fhirContext.newJsonParser().parseResource(org.hl7.fhir.r4.model.Bundle.class, document.json()).setId((String) null));
		HttpRequest request = HttpRequest.newBuilder(URI.create(item.endpoint().replaceAll("/+$", "") + "/Bundle"))
				.timeout(properties.timeout()).header("Content-Type", "application/fhir+json").header("Accept", "application/fhir+json")
				.POST(HttpRequest.BodyPublishers.ofString(body)).build();
		CompletableFuture<HttpResponse<Void>> call = client.sendAsync(request, HttpResponse.BodyHandlers.discarding());
		try {
			int status = call.get(properties.timeout().toMillis(), TimeUnit.MILLISECONDS).statusCode();
			return status >= 200 && status < 300 ? null : "HTTP " + status;
		} catch (TimeoutException e) {
			call.cancel(true);
			return "no answer within " + properties.timeout();
		} catch (ExecutionException e) {
			return e.getCause() instanceof IOException ? "connection failed (" + e.getCause().getClass().getSimpleName() + ")"
					: "request failed (" + e.getCause().getClass().getSimpleName() + ")";
		} catch (InterruptedException e) {
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
