package nl.kansrijkestart.gateway.handover;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.channel.PublishSubscribeChannel;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.transaction.PlatformTransactionManager;
import javax.sql.DataSource;
import nl.kansrijkestart.gateway.consent.ConsentChangeFlow;
import nl.kansrijkestart.gateway.store.DatabaseNotifications;
import nl.kansrijkestart.gateway.store.RecheckQueue;

/**
 * The handover's Spring Integration flows. <b>Checks</b>: the mothers waiting in
 * {@code handover_check} (requested by ingest, consent changes and routing reloads,
 * inside their transactions), taken by transactional pollers that bring their handovers
 * up to date. The push outbox is worked by {@link Deliveries}.
 */
@Configuration(proxyBeanMethods = false)
class HandoverFlow {

	@Bean
	RecheckQueue handoverChecks(DataSource dataSource, DatabaseNotifications notifications) {
		return new RecheckQueue(dataSource, "handover_check", notifications);
	}

	/**
	 * Two consumers take checks in parallel; the per-mother lock keeps them off each
	 * other's records.
	 */
	@Bean
	IntegrationFlow handoverCheckConsumer(RecheckQueue handoverChecks, HandoverService handovers,
			PlatformTransactionManager transactions, HandoverProperties properties) {
		return handoverChecks.consumer(handovers::check, properties.pollInterval(), transactions);
	}

	@Bean
	IntegrationFlow handoverCheckSecondConsumer(RecheckQueue handoverChecks, HandoverService handovers,
			PlatformTransactionManager transactions, HandoverProperties properties) {
		return handoverChecks.consumer(handovers::check, properties.pollInterval(), transactions);
	}

	/**
	 * Consent changes for handover are checks too; the subscriber runs in the consent
	 * poller's transaction.
	 */
	@Bean
	IntegrationFlow handoverConsentChanges(
			@Qualifier(ConsentChangeFlow.DECISIONS_CHANNEL) PublishSubscribeChannel decisions,
			HandoverTriggers triggers) {
		return IntegrationFlow.from(decisions)
			.handle(nl.kansrijkestart.gateway.consent.ConsentChanged.class, (changed, headers) -> {
				triggers.onConsentChanged(changed);
				return null;
			})
			.get();
	}

}
