package nl.kansrijkestart.gateway.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import nl.kansrijkestart.gateway.support.DatabaseState;
import nl.kansrijkestart.gateway.support.FhirHttp;
import nl.kansrijkestart.gateway.support.GatewayTest;
import nl.kansrijkestart.tools.PregnancyGenerator;
import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Narrative;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What real EHRs send and nobody here wrote: Nictiz nl-core (zib2020) instances with
 * their narrative, extensions and several codings per concept; the FHIR reference forms
 * (conditional, logical by identifier, absolute); and Prefer.
 */
@GatewayTest
class RealWorldInputTest {

	private static final FhirContext CTX = FhirContext.forR4Cached();

	private static final String BSN = "http://fhir.nl/fhir/NamingSystem/bsn";

	private static final String MUNICIPALITY = "https://kansrijkestart.nl/fhir/StructureDefinition/ks-ext-municipality";

	@LocalServerPort
	int port;

	@Autowired
	JdbcTemplate jdbc;

	FhirHttp http;

	@BeforeEach
	void setUp() {
		http = new FhirHttp(port);
	}

	private static <T extends org.hl7.fhir.instance.model.api.IBaseResource> T nictiz(Class<T> type, String name) {
		try (InputStream in = RealWorldInputTest.class.getResourceAsStream("/nictiz-zib2020/" + name + ".xml")) {
			return CTX.newXmlParser().parseResource(type, new String(in.readAllBytes(), StandardCharsets.UTF_8));
		}
		catch (IOException e) {
			throw new IllegalStateException(e);
		}
	}

	/**
	 * nl-core-Patient-01 as our mother: only what ks-mother requires beyond nl-core is
	 * added (the municipality).
	 */
	private static Patient nictizMother(String bsn) {
		Patient p = nictiz(Patient.class, "nl-core-Patient-01");
		p.setId((String) null);
		p.getIdentifierFirstRep().setValue(bsn);
		p.getAddressFirstRep()
			.addExtension(new Extension(MUNICIPALITY,
					new Coding("https://kansrijkestart.nl/fhir/NamingSystem/cbs-gemeentecode", "GM0882", "Landgraaf")));
		return p;
	}

	private static Observation first(Bundle bundle, String code) {
		return bundle.getEntry()
			.stream()
			.map(Bundle.BundleEntryComponent::getResource)
			.filter(Observation.class::isInstance)
			.map(Observation.class::cast)
			.filter(o -> o.getCode().getCoding().stream().anyMatch(c -> code.equals(c.getCode())))
			.findFirst()
			.orElseThrow();
	}

	private static String idOf(Bundle.BundleEntryComponent entry) {
		String location = entry.getResponse().getLocation();
		return location.substring(location.indexOf('/') + 1, location.indexOf("/_history"));
	}

	@Test
	void anNlCorePatientWithNarrativeAndNictizExtensionsIsAccepted() {
		Patient mother = nictizMother("223547463");
		assertThat(mother.getText().getDiv().isEmpty()).isFalse();
		FhirHttp.Response created = http.post("/fhir/Patient", FhirHttp.xml(mother), "application/fhir+xml");
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		assertThat(created.header("Location")).startsWith("http://localhost:" + port + "/fhir/Patient/");
		Patient stored = http.get("/fhir/Patient?identifier=" + BSN + "|223547463")
			.as(Bundle.class)
			.getEntryFirstRep()
			.getResource() instanceof Patient p ? p : null;
		assertThat(stored).isNotNull();
		assertThat(stored.getText().getDivAsString()).contains("Putten");
	}

	@Test
	void anNlCoreApgarScoreWithNarrativeComponentsAndTwoCodingsIsAcceptedInAPregnancy() {
		Bundle bundle = new PregnancyGenerator(1101).next().bundle();
		Observation ours = first(bundle, "9272-6");
		Observation apgar = nictiz(Observation.class, "nl-core-ApgarScore-1Minute-01");
		apgar.setId((String) null);
		apgar.getMeta().addProfile(PregnancyGenerator.PROFILE + "ks-apgar-score");
		apgar.setIdentifier(ours.getIdentifier());
		apgar.setSubject(ours.getSubject());
		apgar.setEffective(ours.getEffective());
		apgar.getCode().addCoding(new Coding("http://snomed.info/sct", "169895004", "Apgar at 1 minute"));
		// A performer named only, typed as not a person: kept as sent.
		apgar.addPerformer(new Reference().setType("Practitioner").setDisplay("dienstdoend verloskundige"));
		bundle.getEntry().stream().filter(e -> e.getResource() == ours).forEach(e -> e.setResource(apgar));
		// A coded answer with a local coding beside SNOMED, as Dutch EHRs send it.
		first(bundle, "289145007").getValueCodeableConcept()
			.addCoding(new Coding("urn:oid:2.16.840.1.113883.2.4.3.11.999", "BV", "Borstvoeding"));
		FhirHttp.Response response = http.submit("/fhir", FhirHttp.json(bundle));
		assertThat(response.status()).as(response.body()).isEqualTo(200);
	}

	@Test
	void conditionalAndLogicalReferencesToTheMotherResolveInTheCallersPartition() {
		Bundle bundle = new PregnancyGenerator(1102).next().bundle();
		Patient mother = (Patient) bundle.getEntry().get(1).getResource();
		String bsn = mother.getIdentifierFirstRep().getValue();
		// Logical: the mother by her BSN, sent in the same transaction.
		EpisodeOfCare episode = (EpisodeOfCare) bundle.getEntry().get(2).getResource();
		episode.setPatient(new Reference().setIdentifier(new Identifier().setSystem(BSN).setValue(bsn)));
		FhirHttp.Response first = http.submit("/fhir", FhirHttp.json(bundle));
		assertThat(first.status()).as(first.body()).isEqualTo(200);
		Bundle response = first.as(Bundle.class);
		String motherId = idOf(response.getEntry().get(1));
		EpisodeOfCare stored = http.get("/fhir/EpisodeOfCare/" + idOf(response.getEntry().get(2)))
			.as(EpisodeOfCare.class);
		assertThat(stored.getPatient().getReference()).isEqualTo("Patient/" + motherId);

		// Conditional, as FHIR transactions allow: Patient?identifier=system|value.
		Bundle again = new PregnancyGenerator(1102).next().bundle();
		((EpisodeOfCare) again.getEntry().get(2).getResource())
			.setPatient(new Reference("Patient?identifier=" + BSN + "|" + bsn));
		FhirHttp.Response second = http.submit("/fhir", FhirHttp.json(again));
		assertThat(second.status()).as(second.body()).isEqualTo(200);
		EpisodeOfCare resent = http.get("/fhir/EpisodeOfCare/" + idOf(second.as(Bundle.class).getEntry().get(2)))
			.as(EpisodeOfCare.class);
		assertThat(resent.getPatient().getReference()).isEqualTo("Patient/" + motherId);
	}

	@Test
	void referencesThatCannotBeResolvedToAPersonAre422AndStoreNothing() {
		Bundle seed = new PregnancyGenerator(1103).next().bundle();
		FhirHttp.Response other = http.as("vsv-b").submit("/fhir", FhirHttp.json(seed));
		assertThat(other.status()).as(other.body()).isEqualTo(200);
		String othersMother = idOf(other.as(Bundle.class).getEntry().get(1));
		DatabaseState before = DatabaseState.of(jdbc);
		String base = "http://localhost:" + port + "/fhir/";
		Reference[] unresolvable = { new Reference().setDisplay("mevrouw Jansen"),
				new Reference().setIdentifier(new Identifier().setSystem(BSN).setValue("305332429")),
				new Reference("https://elsewhere.example/fhir/Patient/123"),
				new Reference(base + "Patient/" + othersMother) };
		for (Reference patient : unresolvable) {
			Bundle bundle = new PregnancyGenerator(1104).next().bundle();
			((EpisodeOfCare) bundle.getEntry().get(2).getResource()).setPatient(patient);
			FhirHttp.Response r = http.submit("/fhir", FhirHttp.json(bundle));
			assertThat(r.status()).as(r.body()).isEqualTo(422);
			assertThat(r.outcome().getIssue()).isNotEmpty();
		}
		assertThat(DatabaseState.of(jdbc)).isEqualTo(before);
	}

	@Test
	void preferDecidesWhatTheTransactionResponseCarriesAndFullUrlsAreAbsolute() {
		Bundle bundle = new PregnancyGenerator(1105).next().bundle();
		Bundle minimal = http.post("/fhir", FhirHttp.json(bundle), FhirHttp.JSON, "Prefer", "return=minimal")
			.as(Bundle.class);
		assertThat(minimal.getEntry()).allSatisfy(e -> {
			assertThat(e.getFullUrl()).startsWith("http://localhost:" + port + "/fhir/");
			assertThat(e.hasResource()).isFalse();
		});
		Bundle full = http.post("/fhir", FhirHttp.json(bundle), FhirHttp.JSON, "Prefer", "return=representation")
			.as(Bundle.class);
		assertThat(full.getEntry()).allSatisfy(e -> assertThat(e.getResource().getIdElement().getIdPart())
			.isEqualTo(e.getFullUrl().substring(e.getFullUrl().lastIndexOf('/') + 1)));
		Bundle outcomes = http.post("/fhir", FhirHttp.json(bundle), FhirHttp.JSON, "Prefer", "return=OperationOutcome")
			.as(Bundle.class);
		assertThat(outcomes.getEntry()).allSatisfy(
				e -> assertThat(((OperationOutcome) e.getResponse().getOutcome()).getIssueFirstRep().getDiagnostics())
					.startsWith("Unchanged"));
		FhirHttp.Response single = http.post("/fhir/Patient", FhirHttp.json(nictizMother("777155904")), FhirHttp.JSON,
				"Prefer", "return=OperationOutcome");
		assertThat(single.status()).as(single.body()).isEqualTo(201);
		assertThat(single.outcome().getIssueFirstRep().getDiagnostics()).startsWith("Created Patient/");
	}

	@Test
	void aGeneralTobaccoUseIsNotReadAsSmokingInThisPregnancy() {
		DatabaseState before = DatabaseState.of(jdbc);
		Bundle bundle = new PregnancyGenerator(1107).next().bundle();
		Observation tobacco = nictiz(Observation.class, "nl-core-TobaccoUse-01");
		tobacco.setId((String) null);
		tobacco.addIdentifier().setSystem("https://ehr.example.nl/observation").setValue("tobacco-1");
		tobacco.setSubject(new Reference(bundle.getEntry().get(1).getFullUrl()));
		bundle.addEntry()
			.setFullUrl("urn:uuid:" + java.util.UUID.randomUUID())
			.setResource(tobacco)
			.getRequest()
			.setMethod(Bundle.HTTPVerb.POST)
			.setUrl("Observation");
		FhirHttp.Response r = http.submit("/fhir", FhirHttp.json(bundle));
		assertThat(r.status()).as(r.body()).isEqualTo(422);
		int index = bundle.getEntry().size() - 1;
		assertThat(r.outcome().getIssue()).anySatisfy(i -> {
			assertThat(i.getExpression().get(0).getValue()).startsWith("Bundle.entry[" + index + "].resource");
			assertThat(i.getDiagnostics()).contains("extension:pregnancy");
		});
		assertThat(DatabaseState.of(jdbc)).isEqualTo(before);
	}

	@Test
	void theHapiGenericClientWorksAsIs() {
		ca.uhn.fhir.rest.client.api.IGenericClient client = CTX
			.newRestfulGenericClient("http://localhost:" + port + "/fhir");
		client.registerInterceptor(
				new ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor(http.token("vsv-a")));
		Bundle response = client.transaction().withBundle(new PregnancyGenerator(1108).next().bundle()).execute();
		assertThat(response.getEntry()).isNotEmpty()
			.allSatisfy(e -> assertThat(e.getResponse().getStatus()).startsWith("20"));
		Patient mother = client.read()
			.resource(Patient.class)
			.withUrl(response.getEntry().get(1).getFullUrl())
			.execute();
		Bundle found = client.search()
			.forResource(Patient.class)
			.where(Patient.IDENTIFIER.exactly().systemAndCode(BSN, mother.getIdentifierFirstRep().getValue()))
			.returnBundle(Bundle.class)
			.execute();
		assertThat(found.getTotal()).isEqualTo(1);
		assertThat(found.getEntryFirstRep().getFullUrl())
			.isEqualTo("http://localhost:" + port + "/fhir/Patient/" + mother.getIdPart());
		ca.uhn.fhir.rest.api.MethodOutcome created = client.create().resource(nictizMother("516731920")).execute();
		assertThat(created.getCreated()).isTrue();
	}

	@Test
	void aNarrativeOnAnyResourceValidatesAndIsStored() {
		Bundle bundle = new PregnancyGenerator(1106).next().bundle();
		bundle.getEntry().forEach(e -> {
			Narrative text = new Narrative().setStatus(Narrative.NarrativeStatus.GENERATED);
			text.setDivAsString(
					"<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>" + e.getResource().fhirType() + "</p></div>");
			((org.hl7.fhir.r4.model.DomainResource) e.getResource()).setText(text);
		});
		FhirHttp.Response response = http.submit("/fhir", FhirHttp.json(bundle));
		assertThat(response.status()).as(response.body()).isEqualTo(200);
		// Sent again unchanged: recognised as the same content (the narrative is part of
		// the hash, not an error).
		FhirHttp.Response resent = http.submit("/fhir", FhirHttp.json(bundle));
		assertThat(resent.as(Bundle.class).getEntry())
			.allSatisfy(e -> assertThat(e.getResponse().getStatus()).startsWith("200"));
	}

}
