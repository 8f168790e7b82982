package nl.kansrijkestart.gateway.inbound;

import ca.uhn.fhir.context.FhirContext;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import nl.kansrijkestart.gateway.audit.AuditRecord;
import nl.kansrijkestart.gateway.audit.AuditTrail;
import nl.kansrijkestart.gateway.ingest.IssueOutcomes;
import nl.kansrijkestart.gateway.security.Caller;
import nl.kansrijkestart.gateway.security.OrganizationIdentifier;
import nl.kansrijkestart.gateway.security.Role;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The dead letters of the kernset intake, for administrators (SecurityConfiguration lets
 * only them in): the list (without bodies), one message as it was sent, and a replay as
 * its sender. Every access is in the audit trail: the bodies are personal data.
 */
@RestController
@RequestMapping("/inbound/dead-letters")
class DeadLetterController {

	private final DeadLetters deadLetters;

	private final KernsetIntake intake;

	private final AuditTrail trail;

	private final FhirContext fhirContext;

	DeadLetterController(DeadLetters deadLetters, KernsetIntake intake, AuditTrail trail, FhirContext fhirContext) {
		this.deadLetters = deadLetters;
		this.intake = intake;
		this.trail = trail;
		this.fhirContext = fhirContext;
	}

	@GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
	List<DeadLetters.DeadLetter> list(@RequestParam(defaultValue = "true") boolean open, HttpServletRequest request) {
		List<DeadLetters.DeadLetter> letters = deadLetters.list(open);
		audit(AuditRecord.Action.R, "dead-letter-list",
				letters.stream().map(l -> "inbound_dead_letter/" + l.id()).toList(), request);
		return letters;
	}

	@GetMapping(value = "/{id}/message", produces = MediaType.APPLICATION_XML_VALUE)
	ResponseEntity<byte[]> message(@PathVariable UUID id, HttpServletRequest request) {
		DeadLetters.DeadLetter letter = deadLetters.withBody(id).orElse(null);
		if (letter == null || letter.body() == null) {
			return outcome(404,
					IssueOutcomes.error("No dead letter " + id + " with a message (a replayed one keeps none)",
							OperationOutcome.IssueType.NOTFOUND));
		}
		audit(AuditRecord.Action.R, "dead-letter-read", List.of("inbound_dead_letter/" + id), request);
		return ResponseEntity.ok().contentType(MediaType.APPLICATION_XML).body(letter.body());
	}

	/**
	 * The message again, as the organisation that sent it; the letter closes when it goes
	 * through.
	 */
	@PostMapping("/{id}/$replay")
	ResponseEntity<byte[]> replay(@PathVariable UUID id, HttpServletRequest request) {
		DeadLetters.DeadLetter letter = deadLetters.withBody(id).orElse(null);
		if (letter == null || letter.replayedAt() != null || letter.body() == null) {
			return outcome(letter == null ? 404 : 409, IssueOutcomes.error(
					letter == null ? "No dead letter " + id : "Dead letter " + id + " was replayed already",
					letter == null ? OperationOutcome.IssueType.NOTFOUND : OperationOutcome.IssueType.CONFLICT));
		}
		audit(AuditRecord.Action.E, "dead-letter-replay", List.of("inbound_dead_letter/" + id), request);
		// the sender's own rights: those of a birth-care system writing a transaction in
		// its partition
		Caller sender = new Caller(letter.senderClient(), OrganizationIdentifier.parse(letter.sender()).orElseThrow(),
				Role.BIRTH_CARE_SUBMITTER, Set.of("system/Bundle.write", "system/*.write"), null, null, null);
		KernsetIntake.Outcome outcome = intake.replay(letter, sender, request.getRemoteAddr());
		return outcome(outcome.status(), outcome.outcome());
	}

	private ResponseEntity<byte[]> outcome(int status, OperationOutcome oo) {
		return ResponseEntity.status(status)
			.contentType(MediaType.parseMediaType("application/fhir+json"))
			.body(fhirContext.newJsonParser()
				.encodeResourceToString(oo)
				.getBytes(java.nio.charset.StandardCharsets.UTF_8));
	}

	private void audit(AuditRecord.Action action, String subtype, List<String> entities, HttpServletRequest request) {
		Caller caller = Caller.current().orElseThrow();
		trail.record(new AuditRecord(Instant.now(), action, subtype, AuditRecord.Outcome.SUCCESS, null, caller,
				caller.purposeOfUse(), Set.of(), entities, null, request.getRemoteAddr()));
	}

}
