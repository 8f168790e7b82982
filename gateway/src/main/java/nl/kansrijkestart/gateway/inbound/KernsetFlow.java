package nl.kansrijkestart.gateway.inbound;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Set;
import nl.kansrijkestart.gateway.ingest.IssueOutcomes;
import nl.kansrijkestart.gateway.security.Caller;
import nl.kansrijkestart.gateway.security.OrganizationIdentifier;
import nl.kansrijkestart.gateway.security.Role;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.integration.dsl.Pollers;
import org.springframework.integration.file.filters.AcceptOnceFileListFilter;
import org.springframework.integration.file.filters.ChainFileListFilter;
import org.springframework.integration.file.filters.LastModifiedFileListFilter;
import org.springframework.integration.file.filters.SimplePatternFileListFilter;
import org.springframework.integration.http.dsl.Http;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * The kernset intake's Spring Integration flows: {@code POST /inbound/kernset} (an HTTP
 * inbound gateway; the answer is an OperationOutcome with the status) and, when
 * configured, a directory read by a file inbound adapter, each file moved to
 * {@code processed/} or to {@code failed/} with a {@code .reason.txt} beside it.
 */
@Configuration(proxyBeanMethods = false)
class KernsetFlow {

	private static final Logger log = LoggerFactory.getLogger(KernsetFlow.class);

	private static final Set<String> XML = Set.of("application/xml", "text/xml", "application/hl7-v3+xml");

	/** A file bigger than this is not read: the same bound as an HTTP body. */
	private static final long MAX_FILE_BYTES = 16L * 1024 * 1024;

	@Bean
	IntegrationFlow kernsetHttp(KernsetIntake intake, FhirContext fhirContext) {
		return IntegrationFlow
			.from(Http.inboundGateway("/inbound/kernset")
				.requestMapping(m -> m.methods(HttpMethod.POST))
				.requestPayloadType(byte[].class))
			.handle(byte[].class, (body, headers) -> answer(fhirContext, http(intake, body, headers)))
			.get();
	}

	private static Reply http(KernsetIntake intake, byte[] body, MessageHeaders headers) {
		Object contentType = headers.get(MessageHeaders.CONTENT_TYPE);
		String media = contentType == null ? "" : contentType.toString().split(";")[0].trim().toLowerCase(Locale.ROOT);
		if (!XML.contains(media)) {
			return new Reply(415,
					IssueOutcomes.error(
							"A kernset message is XML: send it as application/xml (got "
									+ (media.isEmpty() ? "no Content-Type" : media) + ")",
							OperationOutcome.IssueType.NOTSUPPORTED));
		}
		HttpServletRequest request = ((ServletRequestAttributes) RequestContextHolder.currentRequestAttributes())
			.getRequest();
		try {
			Caller caller = Caller.current().orElseThrow();
			KernsetIntake.Outcome outcome = intake.receive(body, caller, "http", null, request.getRemoteAddr());
			return new Reply(outcome.status(), outcome.outcome());
		}
		catch (BaseServerResponseException e) {
			return new Reply(e.getStatusCode(),
					IssueOutcomes.error(e.getMessage(), OperationOutcome.IssueType.FORBIDDEN));
		}
		catch (org.springframework.dao.DataAccessException e) {
			// not the sender's fault, and nothing was stored (not even a dead letter):
			// the sender sends it again
			log.warn("Kernset message not taken: the database is unavailable ({})", e.getClass().getSimpleName());
			return new Reply(503,
					IssueOutcomes.error("The gateway cannot store messages right now; send this one again later",
							OperationOutcome.IssueType.TRANSIENT));
		}
	}

	private record Reply(int status, OperationOutcome outcome) {
	}

	private static Message<String> answer(FhirContext fhirContext, Reply reply) {
		return MessageBuilder.withPayload(fhirContext.newJsonParser().encodeResourceToString(reply.outcome()))
			.setHeader(org.springframework.integration.http.HttpHeaders.STATUS_CODE, HttpStatus.valueOf(reply.status()))
			.setHeader(MessageHeaders.CONTENT_TYPE, "application/fhir+json")
			.build();
	}

	/**
	 * The directory's files, oldest first; a file still being written (changed in the
	 * last second) waits a poll.
	 */
	@Bean
	@ConditionalOnProperty("gateway.inbound.kernset.directory")
	IntegrationFlow kernsetDirectory(InboundProperties properties, KernsetIntake intake) throws IOException {
		Path directory = properties.directory();
		Files.createDirectories(directory.resolve("processed"));
		Files.createDirectories(directory.resolve("failed"));
		OrganizationIdentifier organization = OrganizationIdentifier.parse(properties.senderOrganization())
			.orElseThrow(() -> new IllegalStateException(
					"gateway.inbound.kernset.sender-organization must be system|value (e.g. the URA) of the"
							+ " organisation whose directory this is"));
		Caller sender = new Caller(properties.senderClient(), organization, Role.BIRTH_CARE_SUBMITTER,
				Set.of("system/Bundle.write", "system/*.write"), null, null, null);
		ChainFileListFilter<File> filter = new ChainFileListFilter<>();
		filter.addFilters(new SimplePatternFileListFilter("*.xml"), new LastModifiedFileListFilter(1),
				new AcceptOnceFileListFilter<>());
		return IntegrationFlow
			.from(org.springframework.integration.file.dsl.Files.inboundAdapter(directory.toFile()).filter(filter),
					e -> e.poller(Pollers.fixedDelay(properties.pollInterval())))
			.handle(File.class, (file, headers) -> {
				file(intake, sender, file.toPath(), directory);
				return null;
			})
			.get();
	}

	private static void file(KernsetIntake intake, Caller sender, Path file, Path directory) {
		String name = file.getFileName().toString();
		try {
			if (Files.size(file) > MAX_FILE_BYTES) {
				move(file, directory.resolve("failed"),
						"The file exceeds " + MAX_FILE_BYTES + " bytes; it was not read");
				return;
			}
			byte[] body;
			try (InputStream in = Files.newInputStream(file)) {
				body = in.readNBytes((int) MAX_FILE_BYTES);
			}
			KernsetIntake.Outcome outcome = intake.receive(body, sender, "directory", name, null);
			if (outcome.succeeded()) {
				move(file, directory.resolve("processed"), null);
			}
			else {
				move(file, directory.resolve("failed"),
						"Status " + outcome.status() + "; dead letter " + outcome.deadLetter() + "\n"
								+ String.join("\n",
										outcome.outcome()
											.getIssue()
											.stream()
											.map(OperationOutcome.OperationOutcomeIssueComponent::getDiagnostics)
											.toList())
								+ "\n");
			}
		}
		catch (IOException e) {
			// left where it is: the next start reads it again, and the message id makes
			// that a no-op if it was stored
			log.warn("Kernset file {} could not be read or moved: {}", name, e.getClass().getSimpleName());
		}
	}

	private static void move(Path file, Path to, String reason) throws IOException {
		Path target = to.resolve(file.getFileName());
		Files.move(file, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		if (reason != null) {
			Files.writeString(to.resolve(file.getFileName() + ".reason.txt"), reason);
		}
	}

}
