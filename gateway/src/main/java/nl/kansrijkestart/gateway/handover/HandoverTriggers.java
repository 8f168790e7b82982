package nl.kansrijkestart.gateway.handover;

import java.util.Collection;
import java.util.List;
import nl.kansrijkestart.gateway.consent.ConsentChanged;
import nl.kansrijkestart.gateway.consent.Purpose;
import nl.kansrijkestart.gateway.store.BirthCareRecords;
import nl.kansrijkestart.gateway.store.MothersAffected;
import nl.kansrijkestart.gateway.store.RecheckQueue;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * What makes a handover check happen, recorded durably in the transaction that causes it:
 * birth-care data written, a consent decision changed, the routing table reloaded.
 * Requests for a mother already waiting are one request.
 */
@Component
class HandoverTriggers {

	private final BirthCareRecords records;

	private final JgzRouting routing;

	private final JdbcTemplate jdbc;

	private final RecheckQueue checks;

	HandoverTriggers(BirthCareRecords records, JgzRouting routing, JdbcTemplate jdbc,
			@Qualifier("handoverChecks") RecheckQueue checks) {
		this.records = records;
		this.routing = routing;
		this.jdbc = jdbc;
		this.checks = checks;
	}

	@EventListener
	public void onWrite(MothersAffected written) {
		request(written.mothers());
	}

	void onConsentChanged(ConsentChanged changed) {
		if (changed.purpose() == Purpose.HANDOVER) {
			request(records.mothersOf(List.of(changed.patient())));
		}
	}

	@EventListener(ApplicationReadyEvent.class)
	public void loadRouting() {
		reloadRouting();
	}

	/**
	 * Reloads the routing table and re-checks every handover whose recipient it changes
	 * (parked ones included).
	 */
	int reloadRouting() {
		int routes = routing.reload();
		request(jdbc.queryForList(
				"select distinct h.mother from handover h left join jgz_route r on r.municipality = h.municipality"
						+ " where h.status <> 'cancelled' and r.organization is distinct from h.recipient",
				String.class));
		return routes;
	}

	private void request(Collection<String> mothers) {
		checks.request(mothers);
	}

}
