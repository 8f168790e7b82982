package nl.kansrijkestart.gateway.handover;

import java.util.Arrays;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.channel.PublishSubscribeChannel;
import org.springframework.integration.channel.QueueChannel;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.integration.dsl.Pollers;
import org.springframework.integration.jdbc.JdbcPollingChannelAdapter;
import org.springframework.integration.jdbc.store.JdbcChannelMessageStore;
import org.springframework.integration.store.MessageGroupQueue;
import org.springframework.transaction.PlatformTransactionManager;
import javax.sql.DataSource;
import nl.kansrijkestart.gateway.consent.ConsentChangeFlow;

/**
 * The handover's two Spring Integration flows. <b>Checks</b>: a PostgreSQL-backed queue of "these resources changed"
 * (filled by ingest and by consent changes, inside their transactions), drained by a transactional poller that brings
 * the mothers' handovers up to date. <b>Deliveries</b>: the push outbox, polled one due item at a time with
 * {@code FOR UPDATE SKIP LOCKED} inside the transaction that sends it and records the result.
 */
@Configuration(proxyBeanMethods = false)
class HandoverFlow {

	static final String QUEUE_CHANNEL = "handoverCheckQueue";

	@Bean(QUEUE_CHANNEL)
	QueueChannel handoverCheckQueue(JdbcChannelMessageStore consentChangeStore) {
		return new QueueChannel(new MessageGroupQueue(consentChangeStore, "handover-checks"));
	}

	@Bean
	IntegrationFlow handoverChecks(@Qualifier(QUEUE_CHANNEL) QueueChannel queue, HandoverService handovers,
			PlatformTransactionManager transactions, HandoverProperties properties) {
		return IntegrationFlow.from(queue)
				.handle(String.class, (references, headers) -> {
					handovers.checkAll(Arrays.asList(references.split(",")));
					return null;
				}, e -> e.poller(Pollers.fixedDelay(properties.pollInterval()).maxMessagesPerPoll(50).transactional(transactions)))
				.get();
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
				.handle(java.util.List.class, (items, headers) -> {
					for (Object item : items) {
						deliveries.deliver((Deliveries.Item) item);
					}
					return null;
				})
				.get();
	}
}
