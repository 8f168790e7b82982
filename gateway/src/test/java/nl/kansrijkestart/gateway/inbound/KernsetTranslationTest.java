package nl.kansrijkestart.gateway.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import nl.kansrijkestart.gateway.ingest.ProfileCatalog;
import nl.kansrijkestart.gateway.store.Municipalities;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Quantity;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Nictiz's PWD 2.3 kernset test messages (Nictiz/HL7-mappings
 * ada_2_hl7/peri/2_3/kernset_geboortezorg/hl7_instance) as ks- resources, equal to the
 * golden files in mappings/golden/inbound/ ({@code -Dgolden.update=true} regenerates).
 */
class KernsetTranslationTest {

	static final FhirContext R4 = FhirContext.forR4Cached();
	static final Path DIR = Path.of("src", "test", "resources", "kernset");

	private static KernsetTranslation kernset;

	private static Stu3Translation translation;

	@BeforeAll
	static void setUp() throws IOException {
		InboundMappings mappings = new InboundMappings(R4);
		kernset = new KernsetTranslation(mappings);
		translation = new Stu3Translation(mappings, new Municipalities(R4), new ProfileCatalog(R4), R4);
	}

	static byte[] message(String name) throws IOException {
		return Files.readAllBytes(DIR.resolve(name + ".xml"));
	}

	private static Stu3Translation.Translation translate(byte[] body) {
		return translation.translate(kernset.translate(KernsetMessage.read(body)), Stu3TranslationTest.SENDER);
	}

	@ParameterizedTest
	@ValueSource(strings = { "scenario1-23", "scenario2_1elijn-23" })
	void nictizKernsetMessagesBecomeKsResources(String name) throws IOException {
		Stu3Translation.Translation t = translate(message(name));
		assertThat(Goldens.errors(t.bundle())).isEmpty();
		Goldens.assertGolden("kernset-" + name, t);
	}

	@Test
	void theBirthOfScenario1WithItsWeightModeAndChild() throws IOException {
		Bundle bundle = translate(message("scenario1-23")).bundle();
		List<String> profiles = bundle.getEntry()
			.stream()
			.map(e -> e.getResource().getMeta().getProfile().get(0).getValue().replaceAll(".*/", ""))
			.toList();
		assertThat(profiles)
			.contains("ks-pregnancy-episode", "ks-gravidity", "ks-parity", "ks-estimated-due-date", "ks-child",
					"ks-birth", "ks-birth-weight", "ks-mother-child-link", "ks-smoking-in-pregnancy",
					"ks-gestational-age-first-visit")
			.doesNotContain("ks-mother");
		Observation weight = bundle.getEntry()
			.stream()
			.map(Bundle.BundleEntryComponent::getResource)
			.filter(Observation.class::isInstance)
			.map(Observation.class::cast)
			.filter(o -> o.getCode().getCoding().stream().anyMatch(c -> c.getCode().equals("8339-4")))
			.findFirst()
			.orElseThrow();
		assertThat(((Quantity) weight.getValue()).getValue()).isEqualByComparingTo("3450");
	}

	@Test
	void aMotherBsnFailingTheElfproefIsRefusedAtItsXPath() throws IOException {
		byte[] broken = new String(message("scenario1-23"), StandardCharsets.UTF_8).replace("999910413", "999910414")
			.getBytes(StandardCharsets.UTF_8);
		assertThatThrownBy(() -> translate(broken)).isInstanceOf(UnprocessableEntityException.class)
			.hasMessageContaining(
					"/CareProvisionEvent[1]/subject[1]/patient[1]/id[1]/@extension: the BSN '999910414' fails the elfproef");
	}

	@Test
	void aDoctypeIsNeverRead() {
		byte[] xxe = ("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
				+ "<REPC_IN004014NL xmlns=\"urn:hl7-org:v3\">&e;</REPC_IN004014NL>")
			.getBytes(StandardCharsets.UTF_8);
		assertThatThrownBy(() -> KernsetMessage.read(xxe)).isInstanceOf(InvalidRequestException.class)
			.hasMessageContaining("DOCTYPE");
	}

	/**
	 * Each element of scenario 1 removed in turn: translated or refused with a 4xx, never
	 * an exception of ours.
	 */
	@Test
	void noMissingElementBreaksTheTranslation() throws IOException {
		byte[] body = message("scenario1-23");
		int count = count(KernsetMessage.read(body).root());
		for (int n = 1; n < count; n++) {
			KernsetMessage message = KernsetMessage.read(body);
			remove(message.root(), new int[] { n });
			try {
				translation.translate(kernset.translate(message), Stu3TranslationTest.SENDER);
			}
			catch (ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException e) {
				assertThat(e.getStatusCode()).as("without element " + n).isBetween(400, 499);
			}
		}
		assertThat(count).isGreaterThan(400);
	}

	private static int count(KernsetMessage.Element e) {
		return 1 + e.children().stream().mapToInt(KernsetTranslationTest::count).sum();
	}

	/**
	 * Removes the n-th element (depth first, the root is 0); {@code n[0]} counts down.
	 */
	private static boolean remove(KernsetMessage.Element parent, int[] n) {
		for (int i = 0; i < parent.children().size(); i++) {
			if (--n[0] == 0) {
				parent.children().remove(i);
				return true;
			}
			if (remove(parent.children().get(i), n)) {
				return true;
			}
		}
		return false;
	}

}
