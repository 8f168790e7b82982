package nl.kansrijkestart.gateway.inbound;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The kernset intake: the directory an EHR (or its file transfer) drops messages in,
 * whose sender they are taken to be (the directory is that organisation's: its URA and a
 * client name for the audit trail), and how often it is read. Without a directory there
 * is no file intake; HTTP intake is always on. A dead letter's message (personal data) is
 * kept for {@code deadLetterRetention} at most; the letter itself, with its reason,
 * stays.
 */
@ConfigurationProperties("gateway.inbound.kernset")
record InboundProperties(Path directory, String senderOrganization,
		@DefaultValue("kernset-directory") String senderClient, @DefaultValue("5s") Duration pollInterval,
		@DefaultValue("P30D") Duration deadLetterRetention) {
}
