package nl.kansrijkestart.gateway.store;

/**
 * The current version changed between reading and writing: the whole unit of work should
 * be retried.
 */
public class ConcurrentWriteException extends RuntimeException {

	public ConcurrentWriteException(String resourceType, String id, long expectedVersion) {
		super(resourceType + "/" + id + " is no longer at version " + expectedVersion);
	}

}
