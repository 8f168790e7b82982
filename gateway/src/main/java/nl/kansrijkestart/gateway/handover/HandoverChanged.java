package nl.kansrijkestart.gateway.handover;

/**
 * A mother's handover moved on (a document went out, JGZ acknowledged one), published
 * inside the transaction that records it, for whoever derives data from handovers
 * (monitoring).
 */
public record HandoverChanged(String mother) {
}
