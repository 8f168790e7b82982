package nl.kansrijkestart.gateway.handover;

import java.util.List;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.channel.PublishSubscribeChannel;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.integration.dsl.Pollers;
import org.springframework.integration.jdbc.JdbcPollingChannelAdapter;
import org.springframework.transaction.PlatformTransactionManager;
import javax.sql.DataSource;
import nl.kansrijkestart.gateway.consent.ConsentChangeFlow;
import nl.kansrijkestart.gateway.store.RecheckQueue;

/**
 * The handover's Spring Integration flows. <b>Checks</b>: the mothers waiting in {@code handover_check} (requested by
 * ingest, consent changes and routing reloads, inside their transactions), taken by transactional pollers that bring
 * their handovers up to date. <b>Deliveries</b>: the push outbox, polled one due item at a time with
 * {@code FOR UPDATE SKIP LOCKED} inside the transaction that sends it and records the result.
 */
@Configuration(proxyBeanMethods = false)
class HandoverFlow {

	@Bean
	RecheckQueue handoverChecks(DataSource dataSource) {
		return new RecheckQueue(dataSource, "handover_check");
	}

	/** Two consumers take checks in parallel; the per-mother lock keeps them off each other's records. */
	@Bean
	IntegrationFlow handoverCheckConsumer(RecheckQueue handoverChecks, HandoverService handovers, PlatformTransactionManager transactions,
			HandoverProperties properties) {
		return handoverChecks.consumer(handovers::check, properties.pollInterval(), transactions);
	}

	@Bean
	IntegrationFlow handoverCheckSecondConsumer(RecheckQueue handoverChecks, HandoverService handovers,
			PlatformTransactionManager transactions, HandoverProperties properties) {
		return handoverChecks.consumer(handovers::check, properties.pollInterval(), transactions);
	}

	/** Consent changes for handover are checks too; the subscriber runs in the consent poller's transaction. */
	@Bean
	IntegrationFlow handoverConsentChanges(@Qualifier(ConsentChangeFlow.DECISIONS_CHANNEL) PublishSubscribeChannel decisions,
			HandoverTriggers triggers) {
		return IntegrationFlow.from(decisions).handle(nl.kansrijkestart.gateway.consent.ConsentChanged.class, (changed, headers) -> {
			triggers.onConsentChanged(changed);
			return null;
		}).get();
	}

	@Bean
	JdbcPollingChannelAdapter dueDeliveries(DataSource dataSource) {
		JdbcPollingChannelAdapter adapter = new JdbcPollingChannelAdapter(dataSource, Deliveries.DUE);
		adapter.setRowMapper(Deliveries.ROW);
		adapter.setMaxRows(1);
		return adapter;
	}

	@Bean
	IntegrationFlow handoverDeliveries(JdbcPollingChannelAdapter dueDeliveries, Deliveries deliveries,
			PlatformTransactionManager transactions, HandoverProperties properties) {
		return IntegrationFlow.from(dueDeliveries, e -> e.poller(Pollers.fixedDelay(properties.delivery().pollInterval())
						.maxMessagesPerPoll(20).transactional(transactions)))
				.handle(List.class, (items, headers) -> {
					for (Object item : items) {
						deliveries.deliverTimed((Deliveries.Item) item);
					}
					return null;
				})
				.get();
	}
}
