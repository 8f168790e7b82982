package nl.kansrijkestart.gateway.consent;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import nl.kansrijkestart.gateway.store.SearchIndexer;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Identifier;

/** Reads a FHIR Consent (ks-consent, or the registry's) as a {@link ConsentStatement}. */
final class ConsentStatements {

	private ConsentStatements() {
	}

	/**
	 * @throws MalformedConsentException when the consent lacks what a decision needs: a
	 * consent that cannot be read must never be taken for "no consent"
	 */
	static ConsentStatement of(Consent consent, String reference, ConsentStatement.Source source) {
		if (!consent.hasStatus() || !consent.hasDateTime() || !consent.hasProvision()
				|| !consent.getProvision().hasType()) {
			throw new MalformedConsentException(reference + " lacks status, dateTime or provision.type");
		}
		Consent.ProvisionComponent provision = consent.getProvision();
		if (provision.hasProvision()) {
			throw new MalformedConsentException(reference + " has nested provisions, which are not supported");
		}
		Set<Purpose> purposes = EnumSet.noneOf(Purpose.class);
		for (Coding purpose : provision.getPurpose()) {
			if (Purpose.SYSTEM.equals(purpose.getSystem())) {
				Purpose.fromCode(purpose.getCode()).ifPresent(purposes::add);
			}
		}
		Set<String> actors = new HashSet<>();
		for (Consent.provisionActorComponent actor : provision.getActor()) {
			Identifier id = actor.getReference().getIdentifier();
			if (!id.hasSystem() || !id.hasValue()) {
				// A provision for someone we cannot identify might be for the recipient:
				// not guessable, so not usable.
				throw new MalformedConsentException(reference + " names an actor without an organisation identifier");
			}
			actors.add(id.getSystem() + "|" + id.getValue());
		}
		var period = provision.getPeriod();
		return new ConsentStatement(reference, source, status(consent.getStatus()),
				SearchIndexer.low(consent.getDateTimeElement()),
				provision.getType() == Consent.ConsentProvisionType.PERMIT, purposes, actors,
				period.hasStart() ? SearchIndexer.low(period.getStartElement()) : null,
				period.hasEnd() ? SearchIndexer.high(period.getEndElement()) : null);
	}

	private static ConsentStatement.Status status(Consent.ConsentState state) {
		return switch (state) {
			case ACTIVE -> ConsentStatement.Status.ACTIVE;
			case ENTEREDINERROR -> ConsentStatement.Status.ENTERED_IN_ERROR;
			// draft, proposed, rejected, inactive: not (or no longer) in force
			default -> ConsentStatement.Status.INACTIVE;
		};
	}

	static final class MalformedConsentException extends RuntimeException {

		MalformedConsentException(String message) {
			super(message);
		}

	}

}
