package nl.kansrijkestart.gateway.ingest;

/**
 * What validation learned about one resource of a request: the profile it was checked
 * against and the hash of its content as received, so an identical resend can skip
 * validation.
 */
public record ValidatedEntry(int index, String resourceType, String profile, String sourceHash, boolean revalidated) {
}
