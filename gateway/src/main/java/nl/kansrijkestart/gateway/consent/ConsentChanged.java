package nl.kansrijkestart.gateway.consent;

/**
 * A person's consent for a purpose changed (a new consent, a withdrawal, a consent set
 * inactive or entered in error), published on
 * {@link ConsentChangeFlow#DECISIONS_CHANNEL}. {@code decision} is the decision now, for
 * no particular recipient; a consumer that sends to a specific recipient decides again
 * for it. A decision that does not permit is a withdrawal for every consumer: pending
 * handovers stop, later aggregates leave the person out.
 */
public record ConsentChanged(String patient, Purpose purpose, ConsentDecision decision) {
}
