package nl.kansrijkestart.gateway.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FatalErrorsTest {

	private final List<Integer> halted = new ArrayList<>();

	private final FatalErrors guard = new FatalErrors(halted::add);

	@Test
	void anOutOfMemoryErrorStopsTheProcessEvenWhenWrapped() {
		guard.haltIfFatal(new InternalErrorException("while handling", new OutOfMemoryError("Java heap space")));
		assertThat(halted).containsExactly(FatalErrors.EXIT_STATUS);
	}

	@Test
	void ordinaryFailuresDoNot() {
		guard.haltIfFatal(new IllegalStateException("bad", new RuntimeException("worse")));
		guard.haltIfFatal(new StackOverflowError());
		guard.haltIfFatal(null);
		assertThat(halted).isEmpty();
	}

}
