package nl.kansrijkestart.gateway.monitoring;

import java.util.List;
import javax.sql.DataSource;
import nl.kansrijkestart.gateway.consent.ConsentChangeFlow;
import nl.kansrijkestart.gateway.consent.ConsentChanged;
import nl.kansrijkestart.gateway.handover.HandoverChanged;
import nl.kansrijkestart.gateway.store.BirthCareRecords;
import nl.kansrijkestart.gateway.store.MothersAffected;
import nl.kansrijkestart.gateway.store.DatabaseNotifications;
import nl.kansrijkestart.gateway.store.RecheckQueue;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.integration.channel.PublishSubscribeChannel;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Keeps the fact tables current, event-driven: written birth-care data, consent changes
 * (both purposes: monitoring decides who counts, handover feeds the process indicators)
 * and handover events request a refresh of the mother's facts in
 * {@code monitoring_check}, in the transaction that causes it; a transactional poller
 * refreshes them.
 */
@Configuration(proxyBeanMethods = false)
class MonitoringFlow {

	@Bean
	RecheckQueue monitoringChecks(DataSource dataSource, DatabaseNotifications notifications) {
		return new RecheckQueue(dataSource, "monitoring_check", notifications);
	}

	@Bean
	IntegrationFlow monitoringCheckConsumer(@Qualifier("monitoringChecks") RecheckQueue monitoringChecks,
			MonitoringFacts facts, PlatformTransactionManager transactions, MonitoringProperties properties) {
		return monitoringChecks.consumer(facts::refresh, properties.pollInterval(), transactions);
	}

	@Bean
	IntegrationFlow monitoringConsentChanges(
			@Qualifier(ConsentChangeFlow.DECISIONS_CHANNEL) PublishSubscribeChannel decisions, Triggers triggers) {
		return IntegrationFlow.from(decisions).handle(ConsentChanged.class, (changed, headers) -> {
			triggers.request(List.of(changed.patient()));
			return null;
		}).get();
	}

	@Bean
	Triggers monitoringTriggers(@Qualifier("monitoringChecks") RecheckQueue monitoringChecks,
			BirthCareRecords records) {
		return new Triggers(monitoringChecks, records);
	}

	static final class Triggers {

		private final RecheckQueue checks;

		private final BirthCareRecords records;

		Triggers(RecheckQueue checks, BirthCareRecords records) {
			this.checks = checks;
			this.records = records;
		}

		void request(List<String> references) {
			checks.request(records.mothersOf(references));
		}

		@EventListener
		public void onWrite(MothersAffected written) {
			checks.request(written.mothers());
		}

		@EventListener
		public void onHandover(HandoverChanged changed) {
			checks.request(List.of(changed.mother()));
		}

	}

}
