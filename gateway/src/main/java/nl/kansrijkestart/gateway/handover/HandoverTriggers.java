package nl.kansrijkestart.gateway.handover;

import java.util.List;
import nl.kansrijkestart.gateway.consent.ConsentChanged;
import nl.kansrijkestart.gateway.consent.Purpose;
import nl.kansrijkestart.gateway.ingest.ResourcesWritten;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.stereotype.Component;

/**
 * What makes a handover check happen, each queued durably in the transaction that causes it: birth-care data written,
 * a consent decision changed, the routing table reloaded.
 */
@Component
class HandoverTriggers {

	private final MessageChannel queue;
	private final JgzRouting routing;
	private final org.springframework.jdbc.core.JdbcTemplate jdbc;

	HandoverTriggers(@Qualifier(HandoverFlow.QUEUE_CHANNEL) MessageChannel queue, JgzRouting routing,
			org.springframework.jdbc.core.JdbcTemplate jdbc) {
		this.queue = queue;
		this.routing = routing;
		this.jdbc = jdbc;
	}

	@EventListener
	public void onWrite(ResourcesWritten written) {
		enqueue(written.references());
	}

	void onConsentChanged(ConsentChanged changed) {
		if (changed.purpose() == Purpose.HANDOVER) {
			enqueue(List.of(changed.patient()));
		}
	}

	@EventListener(ApplicationReadyEvent.class)
	public void loadRouting() {
		reloadRouting();
	}

	/** Reloads the routing table and re-checks every handover whose recipient it changes (parked ones included). */
	int reloadRouting() {
		int routes = routing.reload();
		List<String> affected = jdbc.queryForList("select distinct 'Patient/' || h.mother from handover h left join jgz_route r"
				+ " on r.municipality = h.municipality where h.status <> 'cancelled' and r.organization is distinct from h.recipient",
				String.class);
		affected.forEach(mother -> enqueue(List.of(mother)));
		return routes;
	}

	private void enqueue(List<String> references) {
		if (!references.isEmpty()) {
			queue.send(MessageBuilder.withPayload(String.join(",", references)).build());
		}
	}
}
