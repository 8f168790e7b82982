package nl.kansrijkestart.gateway.consent;

import javax.sql.DataSource;
import nl.kansrijkestart.gateway.store.DatabaseNotifications;
import nl.kansrijkestart.gateway.store.WorkSignal;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.channel.PublishSubscribeChannel;
import org.springframework.integration.channel.QueueChannel;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.integration.dsl.Pollers;
import org.springframework.integration.jdbc.store.JdbcChannelMessageStore;
import org.springframework.integration.jdbc.store.channel.PostgresChannelMessageStoreQueryProvider;
import org.springframework.integration.scheduling.PollSkipAdvice;
import org.springframework.integration.store.MessageGroupQueue;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Consent changes, event-driven and durable ({@link ConsentChanges} does the work): a
 * PostgreSQL-backed queue channel filled in the transaction that stores a Consent,
 * drained by a transactional poller, and a publish-subscribe channel on which every
 * resulting {@link ConsentChanged} is announced. A subscriber's failure rolls its message
 * back onto the queue, so every change reaches every subscriber at least once, also
 * across a restart; several gateway instances share the queue (its rows are taken with
 * SKIP LOCKED).
 */
@Configuration(proxyBeanMethods = false)
public class ConsentChangeFlow {

	/**
	 * Subscribe to this {@link PublishSubscribeChannel} to hear of every consent change.
	 */
	public static final String DECISIONS_CHANNEL = "consentDecisions";
	static final String QUEUE_CHANNEL = "consentChangeQueue";

	@Bean
	JdbcChannelMessageStore consentChangeStore(DataSource dataSource) {
		JdbcChannelMessageStore store = new JdbcChannelMessageStore(dataSource);
		store.setChannelMessageStoreQueryProvider(new PostgresChannelMessageStoreQueryProvider());
		store.setRegion("gateway");
		return store;
	}

	@Bean(QUEUE_CHANNEL)
	QueueChannel consentChangeQueue(JdbcChannelMessageStore consentChangeStore) {
		return new QueueChannel(new MessageGroupQueue(consentChangeStore, "consent-changes"));
	}

	@Bean(DECISIONS_CHANNEL)
	PublishSubscribeChannel consentDecisions() {
		return new PublishSubscribeChannel();
	}

	@Bean
	IntegrationFlow consentChangeProcessing(QueueChannel consentChangeQueue, ConsentChanges changes,
			PlatformTransactionManager transactions, ConsentProperties properties,
			DatabaseNotifications notifications) {
		WorkSignal work = notifications.signalFor("int_channel_message");
		return IntegrationFlow.from(consentChangeQueue).handle(String.class, (consent, headers) -> {
			changes.process(consent);
			// the poll may have left more behind: look again at the next tick
			work.signal();
			return null;
		}, endpoint -> endpoint.poller(Pollers.fixedDelay(properties.changes().pollInterval())
			.maxMessagesPerPoll(100)
			.advice(new PollSkipAdvice(work))
			.transactional(transactions))).get();
	}

}
