package nl.kansrijkestart.gateway.inbound;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import nl.kansrijkestart.gateway.ingest.EntryOutcome;
import nl.kansrijkestart.gateway.ingest.IngestSource;
import nl.kansrijkestart.gateway.ingest.IssueOutcomes;
import nl.kansrijkestart.gateway.ingest.ResourceCodec;
import nl.kansrijkestart.gateway.security.Caller;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * One kernset message, from whichever channel (HTTP, the intake directory, a replay):
 * read, translated and written in one transaction together with its "processed" row, so a
 * resend (same sender, id and content) is a no-op and a crash leaves it either wholly
 * stored or not at all. A message that fails is dead-lettered with the reason; nothing of
 * it is stored but that.
 */
@Component
class KernsetIntake {

	private static final Logger log = LoggerFactory.getLogger(KernsetIntake.class);

	/**
	 * What became of a message: the HTTP status and outcome to answer, and the dead
	 * letter it became, if it did.
	 */
	record Outcome(int status, OperationOutcome outcome, String messageId, UUID deadLetter) {
		boolean succeeded() {
			return status < 300;
		}
	}

	private final KernsetTranslation kernset;

	private final Stu3Translation translation;

	private final InboundWriter writer;

	private final InboundMappings mappings;

	private final DeadLetters deadLetters;

	KernsetIntake(KernsetTranslation kernset, Stu3Translation translation, InboundWriter writer,
			InboundMappings mappings, DeadLetters deadLetters) {
		this.kernset = kernset;
		this.translation = translation;
		this.writer = writer;
		this.mappings = mappings;
		this.deadLetters = deadLetters;
	}

	Outcome receive(byte[] body, Caller sender, String channel, String fileName, String address) {
		// a caller who may not submit gets no dead letter: nothing of theirs is kept
		try {
			writer.authorize(sender);
		}
		catch (ForbiddenOperationException e) {
			writer.recordRefusal(sender, "kernset", e, address);
			throw e;
		}
		String messageId = null;
		try {
			KernsetMessage message = KernsetMessage.read(body);
			messageId = message.id()
				.orElseThrow(() -> new InvalidRequestException("/" + message.root().name()
						+ "/id: the message has no id (root and extension): it cannot be processed once only"));
			return process(message, messageId, body, sender, channel, address);
		}
		catch (BaseServerResponseException e) {
			writer.recordRefusal(sender, "kernset", e, address);
			String reason = reason(e);
			UUID letter = deadLetters.add(channel, sender.organization().token(), sender.clientId(), messageId,
					fileName, e.getStatusCode(), reason, body);
			log.info("Kernset message dead-lettered as {} ({}): status {}", letter, channel, e.getStatusCode());
			OperationOutcome oo = outcomeOf(e);
			oo.addIssue()
				.setSeverity(OperationOutcome.IssueSeverity.INFORMATION)
				.setCode(OperationOutcome.IssueType.INFORMATIONAL)
				.setDiagnostics("Nothing of this message is stored; it is kept as dead letter " + letter
						+ " for an administrator to replay");
			return new Outcome(e.getStatusCode(), oo, messageId, letter);
		}
	}

	/**
	 * A dead letter's message again, as its sender: on success the letter is closed, on
	 * failure it stays with the new reason.
	 */
	Outcome replay(DeadLetters.DeadLetter letter, Caller sender, String address) {
		try {
			KernsetMessage message = KernsetMessage.read(letter.body());
			String messageId = message.id().orElseThrow(() -> new InvalidRequestException("the message has no id"));
			Outcome outcome = process(message, messageId, letter.body(), sender, "replay", address);
			deadLetters.replayed(letter.id(), outcome.outcome().getIssueFirstRep().getDiagnostics());
			return outcome;
		}
		catch (BaseServerResponseException e) {
			deadLetters.failedAgain(letter.id(), e.getStatusCode(), reason(e));
			return new Outcome(e.getStatusCode(), outcomeOf(e), letter.messageId(), letter.id());
		}
	}

	private Outcome process(KernsetMessage message, String messageId, byte[] body, Caller sender, String channel,
			String address) {
		String owner = sender.organization().token();
		String sha = ResourceCodec.sha256(new String(body, java.nio.charset.StandardCharsets.UTF_8));
		Optional<String> before = deadLetters.processed(owner, messageId);
		if (before.isPresent()) {
			if (before.get().equals(sha)) {
				return new Outcome(200,
						IssueOutcomes.information("Message " + messageId + " was processed before: nothing changed"),
						messageId, null);
			}
			throw new ResourceVersionConflictException(
					"Message id " + messageId + " was used before for another message: message ids "
							+ "are unique per sender (HL7v3 id root and extension)");
		}
		Stu3Translation.Translation t = translation.translate(kernset.translate(message), sender.organization());
		List<String> maps = new ArrayList<>(mappings.canonicals());
		maps.add(mappings.kernsetTable());
		List<EntryOutcome> written = writer.write(t.bundle(), sender, address,
				new IngestSource(KernsetTranslation.FORMAT, messageId, maps), t.paths(),
				outcomes -> deadLetters.markProcessed(owner, messageId, sha, channel, outcomes.size()));
		long created = written.stream().filter(EntryOutcome::created).count();
		return new Outcome(200, IssueOutcomes.information("Message " + messageId + ": " + written.size()
				+ " resources written (" + created + " new), each with a Provenance naming the message and the maps"),
				messageId, null);
	}

	private static OperationOutcome outcomeOf(BaseServerResponseException e) {
		return e.getOperationOutcome() instanceof OperationOutcome oo ? oo.copy()
				: IssueOutcomes.error(e.getMessage(), e instanceof ForbiddenOperationException
						? OperationOutcome.IssueType.FORBIDDEN : OperationOutcome.IssueType.INVALID);
	}

	private static String reason(BaseServerResponseException e) {
		OperationOutcome oo = outcomeOf(e);
		List<String> errors = oo.getIssue()
			.stream()
			.filter(i -> i.getSeverity() == OperationOutcome.IssueSeverity.ERROR
					|| i.getSeverity() == OperationOutcome.IssueSeverity.FATAL)
			.map(OperationOutcome.OperationOutcomeIssueComponent::getDiagnostics)
			.toList();
		return errors.isEmpty() ? e.getMessage() : String.join("\n", errors);
	}

}
