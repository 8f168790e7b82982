package nl.kansrijkestart.gateway.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Consent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Base of tests with the systems outside the gateway, played by WireMock: the national
 * consent registry (FHIR Consent search by BSN; by default it knows no consents, tests
 * give it some or make it fail) and a JGZ organisation's FHIR endpoint that takes pushed
 * handover documents (by default it accepts them). The routing table sends Amsterdam
 * (GM0363) to jgz-a, which pulls, Rotterdam (GM0599) to jgz-b, which gets pushes, and
 * knows no route for Nijmegen (GM0268). Timeouts and backoffs are short so that faults
 * are quick to show (application-test.yml). Every {@link GatewayTest} context points at
 * these systems ({@link Initializer}): all HTTP tests share one context.
 */
public abstract class ExternalSystems {

	public static final String BSN_SYSTEM = "http://fhir.nl/fhir/NamingSystem/bsn";

	public static final String PULL_MUNICIPALITY = "GM0363";

	public static final String PUSH_MUNICIPALITY = "GM0599";

	public static final String UNROUTED_MUNICIPALITY = "GM0268";

	public static final String JGZ_A = "http://fhir.nl/fhir/NamingSystem/ura|90000363";

	public static final String JGZ_B = "http://fhir.nl/fhir/NamingSystem/ura|90000599";

	protected static final WireMockServer REGISTRY = new WireMockServer(options().dynamicPort());

	protected static final FaultsPerDocument FAULTS_PER_DOCUMENT = new FaultsPerDocument();

	protected static final WireMockServer JGZ_ENDPOINT = new WireMockServer(
			options().dynamicPort().extensions(FAULTS_PER_DOCUMENT));

	protected static final Path ROUTING = routingFile();

	static {
		REGISTRY.start();
		JGZ_ENDPOINT.start();
		defaults();
		writeRouting(false);
	}

	private static Path routingFile() {
		try {
			Path file = Files.createTempFile("jgz-routing", ".csv");
			file.toFile().deleteOnExit();
			return file;
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/**
	 * The test routing table; {@code withNijmegen} adds a (pull) route for the otherwise
	 * unrouted municipality.
	 */
	protected static void writeRouting(boolean withNijmegen) {
		writeRouting(withNijmegen, "");
	}

	/**
	 * The same, with Den Haag (GM0518) pushed to {@code haaglandenEndpoint} (empty:
	 * pulled), optionally with its own timeout.
	 */
	protected static void writeRouting(boolean withNijmegen, String haaglandenEndpoint) {
		writeRouting(withNijmegen, haaglandenEndpoint, "");
	}

	protected static void writeRouting(boolean withNijmegen, String haaglandenEndpoint, String haaglandenTimeout) {
		String table = "municipality,organization,name,endpoint\n" + PULL_MUNICIPALITY + "," + JGZ_A
				+ ",JGZ Amsterdam,\n" + PUSH_MUNICIPALITY + "," + JGZ_B + ",JGZ Rotterdam-Rijnmond,"
				+ JGZ_ENDPOINT.baseUrl() + "/fhir\n"
				+ "GM0518,http://fhir.nl/fhir/NamingSystem/ura|90000518,JGZ Haaglanden," + haaglandenEndpoint
				+ (haaglandenTimeout.isEmpty() ? "" : "," + haaglandenTimeout) + "\n"
				+ "GM0344,http://fhir.nl/fhir/NamingSystem/ura|90000344,JGZ Utrecht,\n"
				+ "GM0392,http://fhir.nl/fhir/NamingSystem/ura|90000392,JGZ Kennemerland,\n"
				+ (withNijmegen ? UNROUTED_MUNICIPALITY + "," + JGZ_A + ",JGZ Gelderland-Zuid,\n" : "");
		try {
			Files.writeString(ROUTING, table);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/**
	 * Points every {@link GatewayTest} context at the systems played here, so that all
	 * HTTP tests share one context whether or not they talk to these systems.
	 */
	public static final class Initializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

		@Override
		public void initialize(ConfigurableApplicationContext context) {
			TestPropertyValues
				.of("gateway.consent.registry.base-url=" + REGISTRY.baseUrl() + "/fhir",
						"gateway.handover.routing-file=file:" + ROUTING)
				.applyTo(context);
		}

	}

	/**
	 * Before and after each test: tests of other classes in the shared context meet the
	 * defaults too.
	 */
	@BeforeEach
	@AfterEach
	void resetExternalSystems() {
		defaults();
	}

	private static void defaults() {
		REGISTRY.resetAll();
		REGISTRY.stubFor(get(urlPathEqualTo("/fhir/Consent")).atPriority(10).willReturn(searchset()));
		JGZ_ENDPOINT.resetAll();
		FAULTS_PER_DOCUMENT.reset();
		JGZ_ENDPOINT
			.stubFor(post(urlPathEqualTo("/fhir/Bundle")).atPriority(10).willReturn(aResponse().withStatus(201)));
	}

	/** The request the gateway makes for a person's consents. */
	protected static MappingBuilder searchFor(String bsn) {
		return get(urlPathEqualTo("/fhir/Consent")).withQueryParam("patient:identifier",
				equalTo(BSN_SYSTEM + "|" + bsn));
	}

	/** The registry holds these consents for this person. */
	protected static void registryHolds(String bsn, Consent... consents) {
		REGISTRY.stubFor(searchFor(bsn).atPriority(1).willReturn(searchset(consents)));
	}

	/** How often the gateway asked the registry about this person. */
	protected static int lookups(String bsn) {
		return REGISTRY
			.findAll(getRequestedFor(urlPathEqualTo("/fhir/Consent")).withQueryParam("patient:identifier",
					equalTo(BSN_SYSTEM + "|" + bsn)))
			.size();
	}

	/** The registry's full URL of one of its consents, as decisions name it. */
	protected static String registryUrl(String id) {
		return REGISTRY.baseUrl() + "/fhir/Consent/" + id;
	}

	protected static ResponseDefinitionBuilder searchset(Consent... consents) {
		Bundle bundle = new Bundle().setType(Bundle.BundleType.SEARCHSET).setTotal(consents.length);
		Arrays.stream(consents)
			.forEach(c -> bundle.addEntry()
				.setFullUrl(registryUrl(c.getIdElement().getIdPart()))
				.setResource(c)
				.getSearch()
				.setMode(Bundle.SearchEntryMode.MATCH));
		return aResponse().withStatus(200)
			.withHeader("Content-Type", "application/fhir+json")
			.withBody(FhirHttp.json(bundle));
	}

}
