package nl.kansrijkestart.gateway.handover;

import ca.uhn.fhir.context.FhirContext;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import nl.kansrijkestart.gateway.ingest.ResourceCodec;
import nl.kansrijkestart.gateway.store.BirthCareRecord;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.Resource;
import org.springframework.stereotype.Component;

/**
 * Assembles the JGZ handover document (ks-handover-document): a document Bundle whose
 * Composition has one section per BDS rubric, each entry made by the mapping set. Entry
 * fullUrls derive from the handover and the source resource, so the same fact keeps its
 * fullUrl across versions of the document.
 */
@Component
class HandoverDocuments {

	static final String PROFILE = "https://kansrijkestart.nl/fhir/StructureDefinition/";
	static final String RUBRIC_SYSTEM = "urn:oid:2.16.840.1.113883.2.4.4.40.391";
	static final String HANDOVER_SYSTEM = "https://kansrijkestart.nl/fhir/NamingSystem/handover";
	static final String MOMENT_SYSTEM = "https://kansrijkestart.nl/fhir/CodeSystem/ks-handover";
	static final String BSN_SYSTEM = "http://fhir.nl/fhir/NamingSystem/bsn";
	static final String MAPPING_EXTENSION = PROFILE + "ks-ext-mapping";

	private static final Map<String, String> RUBRICS = rubrics();

	private static Map<String, String> rubrics() {
		Map<String, String> r = new LinkedHashMap<>();
		r.put("R003", "Persoonsgegevens");
		r.put("R013", "Bedreigingen uit de directe omgeving");
		r.put("R014", "Zwangerschap");
		r.put("R015", "Bevalling");
		r.put("R016", "Pasgeborene en eerste levensweken");
		r.put("R019", "Terugkerende anamnese");
		r.put("R037", "Hielprik pasgeborene");
		r.put("R040", "Neonatale gehoorscreening");
		return r;
	}

	enum Moment {

		PRENATAL, POSTNATAL;

		String code() {
			return name().toLowerCase(java.util.Locale.ROOT);
		}

	}

	/**
	 * @param handoverId the handover (child-and-moment) the document belongs to: the
	 * Composition's identifier
	 * @param version 1 for the first document, higher for amendments
	 * @param replaces the Bundle identifier of the version this one replaces (for the
	 * same recipient), or null
	 */
	record Identity(UUID handoverId, int version, String replaces, Instant timestamp) {

		/** The Bundle identifier: one per version, the same on every delivery attempt. */
		String bundleIdentifier() {
			return "urn:uuid:" + UUID.nameUUIDFromBytes((handoverId + "/v" + version).getBytes(StandardCharsets.UTF_8));
		}
	}

	private final HandoverMappings mappings;

	private final FhirContext fhirContext;

	HandoverDocuments(HandoverMappings mappings, FhirContext fhirContext) {
		this.mappings = mappings;
		this.fhirContext = fhirContext;
	}

	/**
	 * What a document says, without which version it is and when it was made: equal
	 * hashes, nothing new to hand over.
	 */
	String contentHash(Bundle document) {
		Bundle copy = document.copy();
		copy.setIdentifier(null).setTimestamp(null);
		Composition c = (Composition) copy.getEntryFirstRep().getResource();
		c.setDate(null).setStatus(null).getRelatesTo().clear();
		return ResourceCodec.sha256(fhirContext.newJsonParser().encodeResourceToString(copy));
	}

	/**
	 * Mother and pregnancy (R003, R013, R014, R019): in time for a prenatal home visit.
	 */
	Bundle prenatal(BirthCareRecord record, Identity identity) {
		Assembly a = new Assembly(identity, Moment.PRENATAL);
		String mother = a.person(record.mother());
		a.observations(record.observations(), mother, List.of("R013", "R014", "R019"));
		return a.finish(mother, record.author());
	}

	/** The child, its birth and what birth care knows of the pregnancy (R003 to R040). */
	Bundle postnatal(BirthCareRecord record, BirthCareRecord.Birth birth, Identity identity) {
		Assembly a = new Assembly(identity, Moment.POSTNATAL);
		String child = a.person(birth.child());
		String mother = a.person(record.mother());
		a.motherOf(child, mother);
		a.observations(record.observations(), mother, List.copyOf(RUBRICS.keySet()));
		Resource procedure = mappings.map(birth.procedure());
		((org.hl7.fhir.r4.model.Procedure) procedure).setSubject(new Reference(mother))
			.addExtension(new Extension(PROFILE + "ks-ext-child", new Reference(child)));
		String birthEntry = a.add("R015", birth.procedure(), procedure);
		for (Observation element : mappings.birthElements(birth.procedure())) {
			a.derived("R015", birth.procedure(), birthEntry, element.setSubject(new Reference(child)));
		}
		a.observations(birth.observations(), child, List.copyOf(RUBRICS.keySet()));
		return a.finish(child, record.author());
	}

	/** One document being put together. */
	private final class Assembly {

		private final Identity identity;

		private final Moment moment;

		private final Bundle bundle = new Bundle();

		private final Map<String, List<String>> sections = new LinkedHashMap<>();

		Assembly(Identity identity, Moment moment) {
			this.identity = identity;
			this.moment = moment;
			RUBRICS.keySet().forEach(r -> sections.put(r, new ArrayList<>()));
			bundle.addEntry();
		}

		String person(Patient patient) {
			return add("R003", patient, mappings.map(patient));
		}

		/**
		 * States that the mother in the document is the child's: a RelatedPerson (natural
		 * mother) of the child with her BSN, linked from her Patient entry. JGZ matches a
		 * child without a BSN on its birth-care identifier, birth date and the mother's
		 * BSN.
		 */
		void motherOf(String child, String mother) {
			Patient motherEntry = (Patient) entry(mother);
			RelatedPerson related = new RelatedPerson().setPatient(new Reference(child));
			motherEntry.getIdentifier()
				.stream()
				.filter(i -> BSN_SYSTEM.equals(i.getSystem()))
				.forEach(i -> related.addIdentifier(i.copy()));
			related.addRelationship(new CodeableConcept(
					new Coding("http://terminology.hl7.org/CodeSystem/v3-RoleCode", "NMTH", "natural mother")));
			related.setName(motherEntry.getName());
			String url = fullUrl("RelatedPerson/mother-of/" + child);
			bundle.addEntry().setFullUrl(url).setResource(related);
			sections.get("R003").add(url);
			motherEntry.addLink().setOther(new Reference(url)).setType(Patient.LinkType.SEEALSO);
		}

		private Resource entry(String fullUrl) {
			return bundle.getEntry()
				.stream()
				.filter(e -> fullUrl.equals(e.getFullUrl()))
				.findFirst()
				.orElseThrow()
				.getResource();
		}

		void observations(List<Observation> observations, String subject, List<String> rubrics) {
			for (Observation o : observations) {
				mappings.rubric(o.getCode()).filter(rubrics::contains).ifPresent(rubric -> {
					List<Observation> mapped = mappings.mapObservation(o);
					mapped.forEach(m -> m.setSubject(new Reference(subject)));
					String first = add(rubric, o, mapped.get(0));
					mapped.subList(1, mapped.size()).forEach(bds -> derived(rubric, o, first, bds));
				});
			}
		}

		/**
		 * A BDS entry made from {@code source} (whose entry is {@code from}), one per
		 * element: derived from an observation, part of a birth.
		 */
		void derived(String rubric, Resource source, String from, Observation bds) {
			String url = fullUrl(source.fhirType() + "/" + source.getIdElement().getIdPart() + "/bds/"
					+ bds.getCode().getCodingFirstRep().getCode());
			bundle.addEntry()
				.setFullUrl(url)
				.setResource(source instanceof Observation ? bds.addDerivedFrom(new Reference(from))
						: bds.addPartOf(new Reference(from)));
			sections.get(rubric).add(url);
		}

		String add(String rubric, Resource source, Resource mapped) {
			String fullUrl = fullUrl(source.fhirType() + "/" + source.getIdElement().getIdPart());
			bundle.addEntry().setFullUrl(fullUrl).setResource(mapped);
			sections.get(rubric).add(fullUrl);
			return fullUrl;
		}

		private String fullUrl(String sourceReference) {
			return "urn:uuid:" + UUID
				.nameUUIDFromBytes((identity.handoverId() + "/" + sourceReference).getBytes(StandardCharsets.UTF_8));
		}

		Bundle finish(String subject, Organization sourceAuthor) {
			Organization author = new Organization();
			author.setIdentifier(sourceAuthor.getIdentifier());
			author.setName(sourceAuthor.getName());
			String authorUrl = fullUrl("Organization/" + sourceAuthor.getIdElement().getIdPart());
			bundle.addEntry().setFullUrl(authorUrl).setResource(author);

			Composition c = new Composition();
			c.getMeta().addProfile(PROFILE + "ks-handover-composition");
			mappings.canonicals().forEach(m -> c.addExtension(new Extension(MAPPING_EXTENSION, new CanonicalType(m))));
			c.setIdentifier(new Identifier().setSystem(HANDOVER_SYSTEM).setValue("urn:uuid:" + identity.handoverId()));
			c.setStatus(identity.replaces() != null ? Composition.CompositionStatus.AMENDED
					: Composition.CompositionStatus.FINAL);
			c.setType(new CodeableConcept(new Coding("http://loinc.org", "18761-7", "Transfer summary note")));
			c.addCategory(new CodeableConcept(new Coding(MOMENT_SYSTEM, moment.code(),
					moment == Moment.PRENATAL ? "Prenatal handover" : "Postnatal handover")));
			c.setSubject(new Reference(subject));
			c.setDate(Date.from(identity.timestamp()));
			c.addAuthor(new Reference(authorUrl));
			c.setTitle(moment == Moment.PRENATAL ? "Overdracht geboortezorg - JGZ (prenataal)"
					: "Overdracht geboortezorg - JGZ (postnataal)");
			if (identity.replaces() != null) {
				c.addRelatesTo()
					.setCode(Composition.DocumentRelationshipType.REPLACES)
					.setTarget(new Identifier().setSystem("urn:ietf:rfc:3986").setValue(identity.replaces()));
			}
			sections.forEach((rubric, entries) -> {
				if (!entries.isEmpty()) {
					Composition.SectionComponent section = c.addSection()
						.setTitle(RUBRICS.get(rubric))
						.setCode(new CodeableConcept(new Coding(RUBRIC_SYSTEM, rubric, RUBRICS.get(rubric))));
					entries.forEach(e -> section.addEntry(new Reference(e)));
				}
			});
			bundle.getEntryFirstRep().setFullUrl(fullUrl("Composition")).setResource(c);
			bundle.getMeta().addProfile(PROFILE + "ks-handover-document");
			bundle.setType(Bundle.BundleType.DOCUMENT);
			bundle.setIdentifier(new Identifier().setSystem("urn:ietf:rfc:3986").setValue(identity.bundleIdentifier()));
			bundle.setTimestamp(Date.from(identity.timestamp()));
			return bundle;
		}

	}

}
