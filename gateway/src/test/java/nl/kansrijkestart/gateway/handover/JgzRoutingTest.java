package nl.kansrijkestart.gateway.handover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import nl.kansrijkestart.gateway.store.Municipalities;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In production every push endpoint of the routing table is https: the documents are
 * personal data.
 */
class JgzRoutingTest {

	private static final Municipalities MUNICIPALITIES = new Municipalities(FhirContext.forR4Cached());

	@TempDir
	Path dir;

	private JgzRouting routing(String endpoint, boolean production) throws Exception {
		Path table = dir.resolve("routing.csv");
		Files.writeString(table, "municipality,organization,name,endpoint\n"
				+ "GM0363,http://fhir.nl/fhir/NamingSystem/ura|90000363,JGZ Amsterdam,\n"
				+ "GM0599,http://fhir.nl/fhir/NamingSystem/ura|90000599,JGZ Rotterdam-Rijnmond," + endpoint + "\n");
		HandoverProperties properties = new HandoverProperties(table.toUri().toString(), Duration.ofMillis(100),
				new HandoverProperties.Delivery(Duration.ofMillis(100), 10, Duration.ofSeconds(2),
						Duration.ofMinutes(10), Duration.ofSeconds(5), 8, 1, null));
		return new JgzRouting(null, null, properties, MUNICIPALITIES, production);
	}

	@Test
	void inProductionAnHttpEndpointIsRefused() throws Exception {
		assertThatThrownBy(() -> routing("http://jgz.example/fhir", true).read()).hasMessageContaining("line 3")
			.hasMessageContaining("not https");
		assertThat(routing("https://jgz.example/fhir", true).read()).hasSize(2);
		assertThat(routing("http://jgz.example/fhir", false).read()).extracting(JgzRouting.Route::endpoint)
			.containsExactly(null, "http://jgz.example/fhir");
	}

}
