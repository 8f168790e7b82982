package nl.kansrijkestart.gateway.inbound;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import ca.uhn.fhir.util.FhirTerser;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nl.kansrijkestart.gateway.ingest.ProfileCatalog;
import nl.kansrijkestart.gateway.security.OrganizationIdentifier;
import nl.kansrijkestart.gateway.store.Municipalities;
import org.hl7.fhir.convertors.factory.VersionConvertorFactory_30_40;
import org.hl7.fhir.exceptions.FHIRException;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.ElementDefinition;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Type;
import org.springframework.stereotype.Component;

/**
 * Nictiz STU3 bc-/zib2017 resources as one R4 transaction of ks- resources: each resource
 * is converted by HAPI's version converters, given the ks- profile its rule names
 * (stu3-rules.csv), mapped by that rule's FML map, and then joined to the rest of what
 * was sent: the birth gets the mother as subject, the mode of delivery and the outcome;
 * observations get the ks- code, days for weeks and yes/no for zib use answers; addresses
 * get the CBS code. What no ks- profile holds is left out, and said so per entry. Every
 * write is a conditional PUT on an identifier, so sending the same resources again
 * changes nothing.
 */
@Component
class Stu3Translation {

	/**
	 * Identifies a resource by the sender's own id when it has no identifier (idempotent
	 * resends).
	 */
	static final String SOURCE_ID = "https://kansrijkestart.nl/fhir/NamingSystem/stu3-resource-id";
	static final String FORMAT = "FHIR STU3 (Nictiz bc-/zib2017)";

	private static final String BSN = "http://fhir.nl/fhir/NamingSystem/bsn";

	private static final String SCT = "http://snomed.info/sct";

	private static final String UCUM = "http://unitsofmeasure.org";

	private static final String EPISODE_EXT = "http://hl7.org/fhir/StructureDefinition/workflow-episodeOfCare";

	private static final String FOCUS_EXT = "http://nictiz.nl/fhir/StructureDefinition/observation-focusSTU3";

	private static final String FEEDING_METHOD_EXT = "http://nictiz.nl/fhir/StructureDefinition/zib-FeedingPatternInfant-FeedingMethod";

	private static final String KS = ProfileCatalog.CANONICAL_BASE + "StructureDefinition/";

	/**
	 * How ingest names an entry in its own messages: "Entry 3: Observation.subject: ...".
	 */
	private static final Pattern ENTRY_TEXT = Pattern
		.compile("^Entry (\\d+): [A-Z][A-Za-z]*((?:\\.\\w+(?:\\[\\d+\\])?)*)");

	private static final Pattern ENTRY = Pattern
		.compile("Bundle\\.entry\\[(\\d+)\\]\\.resource(?:\\.ofType\\(\\w+\\))?([.\\w\\[\\]()':=/-]*)");

	/**
	 * One resource as the sender sent it: its position (for error paths) and its STU3
	 * form.
	 */
	record Stu3Entry(int index, String location, String fullUrl, org.hl7.fhir.dstu3.model.Resource resource) {
	}

	/**
	 * What became of a sent entry: the ks- profile it was mapped to and its entry in the
	 * R4 transaction ({@code -1} when it became part of another, e.g. a pattern of
	 * delivery of the birth), or why it was left out.
	 */
	record Note(int index, String ksProfile, int written, String leftOut) {
	}

	/**
	 * The R4 transaction, what each sent entry became, and how to name an R4 path in the
	 * sender's terms.
	 */
	record Translation(Bundle bundle, List<Note> notes, InboundWriter.SourcePaths paths) {
	}

	private final InboundMappings mappings;

	private final Municipalities municipalities;

	private final FhirTerser terser;

	/**
	 * ks- profile name → constrained choice element (e.g. Observation.value[x]) → the
	 * types it allows.
	 */
	private final Map<String, Map<String, List<String>>> choiceTypes = new HashMap<>();

	/**
	 * ks- observation profile name → whose it is (its subject's profile): ks-mother or
	 * ks-child.
	 */
	private final Map<String, String> subjectProfile = new HashMap<>();

	Stu3Translation(InboundMappings mappings, Municipalities municipalities, ProfileCatalog catalog,
			FhirContext fhirContext) {
		this.mappings = mappings;
		this.municipalities = municipalities;
		this.terser = fhirContext.newTerser();
		for (StructureDefinition sd : catalog.structureDefinitions()) {
			for (ElementDefinition e : sd.getDifferential().getElement()) {
				if (e.getPath().equals("Observation.subject") && e.hasType()
						&& e.getTypeFirstRep().hasTargetProfile()) {
					String target = e.getTypeFirstRep().getTargetProfile().get(0).getValue();
					subjectProfile.put(sd.getUrl().substring(sd.getUrl().lastIndexOf('/') + 1),
							target.substring(target.lastIndexOf('/') + 1));
				}
				if (e.getPath().endsWith("[x]") && e.hasType()) {
					choiceTypes
						.computeIfAbsent(sd.getUrl().substring(sd.getUrl().lastIndexOf('/') + 1), k -> new HashMap<>())
						.put(e.getPath(),
								e.getType().stream().map(ElementDefinition.TypeRefComponent::getCode).toList());
				}
			}
		}
	}

	/** A converted resource with what we learn about it from the others. */
	private static final class Item {

		final Stu3Entry entry;

		final Resource r4;

		String role;

		InboundMappings.Rule rule;

		Resource mapped;

		/** Made here, not sent (a birth's mother-child link): no note of its own. */
		boolean derived;

		/**
		 * A part of a birth (its pattern of delivery, a perinatal death) that a birth of
		 * this bundle took up.
		 */
		boolean consumed;

		String placeholder = "urn:uuid:" + UUID.randomUUID();

		Item(Stu3Entry entry, Resource r4) {
			this.entry = entry;
			this.r4 = r4;
		}

	}

	Translation translate(List<Stu3Entry> entries, OrganizationIdentifier sender) {
		List<Item> items = new ArrayList<>();
		Map<String, Item> byKey = new HashMap<>();
		for (Stu3Entry e : entries) {
			Resource r4;
			try {
				r4 = VersionConvertorFactory_30_40.convertResource(e.resource());
			}
			catch (FHIRException | IllegalArgumentException ex) {
				throw refuse(e.location(), "cannot be converted from STU3: " + ex.getMessage(), null);
			}
			Item item = new Item(e, r4);
			items.add(item);
			if (e.resource().hasIdElement() && e.resource().getIdElement().hasIdPart()) {
				byKey.put(r4.fhirType() + "/" + e.resource().getIdElement().getIdPart(), item);
			}
			if (e.fullUrl() != null) {
				byKey.put(e.fullUrl(), item);
			}
		}
		assignRoles(items, byKey);
		List<Note> notes = new ArrayList<>();
		List<Item> births = new ArrayList<>();
		List<Item> birthParts = new ArrayList<>();
		for (Item item : items) {
			CodeableConcept code = code(item.r4);
			Optional<InboundMappings.Rule> rule = mappings.rule(item.r4, code, item.role);
			if (rule.isEmpty()) {
				notes.add(new Note(item.entry.index(), null, -1,
						"no ks- profile has a place for " + describe(item.r4, code)));
				continue;
			}
			item.rule = rule.get();
			if (item.rule.leftOut()) {
				notes.add(new Note(item.entry.index(), null, -1, item.rule.note()));
			}
			else if (item.rule.partOfBirth()) {
				birthParts.add(item);
			}
			else {
				item.mapped = mappings.map(item.rule, item.r4);
				if (item.mapped instanceof Procedure) {
					births.add(item);
				}
			}
		}
		for (Item item : items) {
			if (item.mapped != null) {
				complete(item, byKey, births, birthParts, sender);
			}
		}
		for (Item part : birthParts) {
			notes.add(part.consumed ? new Note(part.entry.index(), "ks-birth", -1, null) : new Note(part.entry.index(),
					null, -1, part.rule.note() + ", sent without its bc-Birth: send them together"));
		}
		boolean linksSent = items.stream().anyMatch(i -> i.mapped instanceof RelatedPerson);
		if (!linksSent) {
			births.forEach(b -> items.add(motherChildLink(b)));
		}
		Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		List<Item> placed = new ArrayList<>();
		for (Item item : items) {
			if (item.mapped == null) {
				continue;
			}
			relink(item, byKey);
			Bundle.BundleEntryComponent entry = bundle.addEntry().setFullUrl(item.placeholder).setResource(item.mapped);
			Identifier key = terser.getValues(item.mapped, "identifier", Identifier.class)
				.stream()
				.filter(Identifier::hasValue)
				.findFirst()
				.orElse(null);
			if (key != null) {
				entry.getRequest()
					.setMethod(Bundle.HTTPVerb.PUT)
					.setUrl(item.mapped.fhirType() + "?identifier=" + key.getSystem() + "|" + key.getValue());
			}
			else {
				entry.getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl(item.mapped.fhirType());
			}
			if (!item.derived) {
				notes.add(new Note(item.entry.index(), profileName(item), placed.size(), null));
			}
			placed.add(item);
		}
		notes.sort((a, b) -> Integer.compare(a.index(), b.index()));
		return new Translation(bundle, notes, r4Path -> locate(r4Path, placed));
	}

	/**
	 * The woman is the maternal record's patient (or claims bc-Woman); children are
	 * births' subjects and MotherOf patients.
	 */
	private void assignRoles(List<Item> items, Map<String, Item> byKey) {
		for (Item item : items) {
			Resource r = item.r4;
			if (r instanceof EpisodeOfCare eoc) {
				role(byKey, eoc.getPatient(), "mother");
			}
			else if (r instanceof Procedure p) {
				role(byKey, p.getSubject(), hasCode(p.getCode(), "3950001") ? "child" : "mother");
			}
			else if (r instanceof RelatedPerson rp) {
				role(byKey, rp.getPatient(), "child");
			}
			else if (r instanceof Observation o) {
				// whose observation it is follows from the ks- profile it becomes (its
				// subject's profile)
				String profile = mappings.rule(o, o.getCode(), null)
					.map(InboundMappings.Rule::profile)
					.map(subjectProfile::get)
					.orElse(null);
				if (profile != null) {
					role(byKey, o.getSubject(), profile.equals("ks-child") ? "child" : "mother");
				}
			}
			else if (r instanceof Patient p && item.role == null
					&& p.getMeta().getProfile().stream().anyMatch(u -> u.getValue().endsWith("bc-Woman"))) {
				item.role = "mother";
			}
		}
	}

	private static void role(Map<String, Item> byKey, Reference reference, String role) {
		Item target = byKey.get(reference.getReference());
		if (target != null && target.r4 instanceof Patient && target.role == null) {
			target.role = role;
		}
	}

	/**
	 * Joins a mapped resource to the rest: profile, identity, codes and values in ks-
	 * terms, the birth's facts.
	 */
	private void complete(Item item, Map<String, Item> byKey, List<Item> births, List<Item> birthParts,
			OrganizationIdentifier sender) {
		Resource m = item.mapped;
		m.setId((String) null);
		String sourceKey = item.r4.fhirType() + "/" + item.entry.resource().getIdElement().getIdPart();
		if (!(m instanceof Patient) && terser.getValues(m, "identifier").isEmpty()
				&& item.entry.resource().getIdElement().hasIdPart()) {
			Identifier id = terser.addElement(m, "identifier");
			id.setSystem(SOURCE_ID).setValue(sourceKey);
		}
		if (m instanceof Observation o) {
			completeObservation(item, o, births, byKey);
		}
		else if (m instanceof Patient p) {
			completePatient(item, p);
		}
		else if (m instanceof EpisodeOfCare e) {
			e.setManagingOrganization(new Reference().setType("Organization")
				.setIdentifier(new Identifier().setSystem(sender.system()).setValue(sender.value())));
		}
		else if (m instanceof Procedure birth) {
			completeBirth(item, birth, byKey, birthParts);
		}
		else if (m instanceof RelatedPerson link) {
			completeLink(item, link, byKey);
		}
		m.getMeta().addProfile(KS + profileName(item));
	}

	/**
	 * The rule's profile; a pregnancy duration is at birth or at the visit, which
	 * completing it decided.
	 */
	private static String profileName(Item item) {
		return item.mapped.getUserData("ks-profile") instanceof String p ? p : item.derived
				? item.mapped.getMeta().getProfile().get(0).getValue().replace(KS, "") : item.rule.profile();
	}

	private void completeObservation(Item item, Observation o, List<Item> births, Map<String, Item> byKey) {
		Observation source = (Observation) item.r4;
		o.setCode(source.getCode().copy());
		for (Coding c : source.getCode().getCoding()) {
			mappings.translate(c, InboundMappings.CODES).ifPresent(t -> addCoding(o.getCode(), t));
		}
		if (!o.hasEffective() && "episode-start".equals(item.rule.undated())) {
			Item episode = byKey.get(source.getEncounter().getReference());
			if (episode != null && episode.r4 instanceof EpisodeOfCare eoc && eoc.getPeriod().hasStart()) {
				o.setEffective(eoc.getPeriod().getStartElement().copy());
			}
		}
		if (item.rule.profile().equals("ks-gestational-age-first-visit")) {
			Optional<Item> birth = births.stream()
				.filter(b -> sameDay(((Procedure) b.mapped).getPerformed(), o.getEffective()))
				.findFirst();
			o.setUserData("ks-profile", birth.isPresent() ? "ks-gestational-age-at-birth" : item.rule.profile());
			// at birth it is the child's (ks-gestational-age-at-birth): the subject
			// becomes that birth's child
			birth.ifPresent(b -> {
				o.getCode().addCoding(new Coding(SCT, "412726003", "Length of gestation at birth"));
				o.setSubject(
						((Reference) ((Procedure) b.mapped).getExtensionByUrl(KS + "ks-ext-child").getValue()).copy());
			});
		}
		if (o.getValue() instanceof Quantity q) {
			o.setValue(ucum(q));
		}
		String profile = item.rule.profile();
		if (profile.endsWith("-in-pregnancy")) {
			o.setValue(yesNo(item, o.getValue()));
		}
		if (profile.equals("ks-feeding")) {
			o.setValue(feeding(item, source));
		}
		if (o.getValue() instanceof Quantity q && allows(item, "Observation.value[x]", "integer") && isCount(q)) {
			// a zib count or score is a unit-less Quantity; the ks- profile says integer
			o.setValue(new IntegerType(q.getValue().intValueExact()));
		}
	}

	/**
	 * A zib FeedingPatternInfant carries its feeding methods per component (extension
	 * FeedingMethod): breast, bottle or both is the ks-feeding answer. A coded value,
	 * when sent, is translated as it is.
	 */
	private Type feeding(Item item, Observation source) {
		List<CodeableConcept> methods = new ArrayList<>();
		if (source.getValue() instanceof CodeableConcept cc) {
			methods.add(cc);
		}
		source.getComponent()
			.forEach(c -> c.getExtensionsByUrl(FEEDING_METHOD_EXT)
				.stream()
				.map(Extension::getValue)
				.filter(CodeableConcept.class::isInstance)
				.map(CodeableConcept.class::cast)
				.forEach(methods::add));
		java.util.TreeSet<String> answers = new java.util.TreeSet<>();
		for (CodeableConcept method : methods) {
			method.getCoding()
				.stream()
				.map(c -> mappings.translate(c, InboundMappings.VALUES))
				.flatMap(Optional::stream)
				.findFirst()
				.ifPresentOrElse(c -> answers.add(c.getCode()), () -> {
					throw refuse(item, ".component.extension:FeedingMethod", "the feeding method " + describe(method)
							+ " has no ks-feeding equivalent (ConceptMap bc-to-ks-values)");
				});
		}
		if (answers.isEmpty()) {
			return null;
		}
		if (answers.size() > 1) {
			return new CodeableConcept(new Coding(SCT, "169645003", "Breast and bottle fed"));
		}
		return new CodeableConcept(
				mappings.translate(new Coding(SCT, answers.first(), null), InboundMappings.VALUES).orElseThrow());
	}

	private boolean allows(Item item, String element, String type) {
		List<String> types = choiceTypes.getOrDefault(profileName(item), Map.of()).get(element);
		return types != null && types.equals(List.of(type));
	}

	private static boolean isCount(Quantity q) {
		return q.hasValue() && q.getValue().stripTrailingZeros().scale() <= 0
				&& (!q.hasCode() || q.getCode().equals("1") || q.getCode().equals("{score}"));
	}

	private static void addCoding(CodeableConcept cc, Coding coding) {
		if (cc.getCoding()
			.stream()
			.noneMatch(c -> coding.getCode().equals(c.getCode()) && coding.getSystem().equals(c.getSystem()))) {
			cc.addCoding(coding);
		}
	}

	/**
	 * Weeks as days (ks- gestational ages are in days); a unit-less Apgar or count stays
	 * as sent.
	 */
	private static Quantity ucum(Quantity q) {
		if ("wk".equals(q.getCode()) && q.hasValue()) {
			BigDecimal days = q.getValue().multiply(BigDecimal.valueOf(7)).setScale(0, RoundingMode.HALF_UP);
			return new Quantity().setValue(days).setUnit("days").setSystem(UCUM).setCode("d");
		}
		if (q.hasCode() && !q.hasSystem()) {
			q.setSystem(UCUM);
		}
		return q;
	}

	/**
	 * zib use answers (current, former, never) and booleans as the ks- yes/no of use
	 * during this pregnancy.
	 */
	private Type yesNo(Item item, Type value) {
		if (value instanceof BooleanType b) {
			return b.booleanValue() ? new CodeableConcept(new Coding(SCT, "373066001", "Yes"))
					: new CodeableConcept(new Coding(SCT, "373067005", "No"));
		}
		if (value instanceof CodeableConcept cc) {
			for (Coding c : cc.getCoding()) {
				Optional<Coding> answer = mappings.translate(c, InboundMappings.VALUES);
				if (answer.isPresent()) {
					CodeableConcept out = cc.copy();
					out.getCoding()
						.removeIf(x -> answer.get().getCode().equals(x.getCode())
								&& answer.get().getSystem().equals(x.getSystem()));
					out.getCoding().add(0, answer.get());
					return out;
				}
			}
			throw refuse(item, ".valueCodeableConcept",
					"the answer " + describe(cc) + " has no ks- equivalent (ConceptMap bc-to-ks-values)");
		}
		return value;
	}

	private void completePatient(Item item, Patient p) {
		for (Address a : p.getAddress()) {
			if (a.hasCountry() && a.getCountry().matches("(?i)nederland|nld|nl|the netherlands")) {
				a.setCountry("NL");
			}
			if (a.hasDistrict()) {
				Municipalities.Match match = municipalities.byName(a.getDistrict());
				if (match.coding() == null) {
					throw refuse(item, ".address.district", match.refusal());
				}
				a.addExtension(new Extension(KS + "ks-ext-municipality", match.coding()));
			}
		}
	}

	/**
	 * bc-Birth has the child as subject; ks-birth has the mother, the child in an
	 * extension, mode and outcome.
	 */
	private void completeBirth(Item item, Procedure birth, Map<String, Item> byKey, List<Item> birthParts) {
		Procedure source = (Procedure) item.r4;
		Reference child = source.getSubject();
		Reference mother = motherOf(source, byKey);
		if (mother == null) {
			throw refuse(item, ".context", "the birth names no maternal record (context) or delivery (partOf) "
					+ "whose patient is the mother; send them with the birth");
		}
		birth.setSubject(mother.copy());
		Observation mode = null;
		boolean stillbirth = false;
		for (Item part : birthParts) {
			Observation o = (Observation) part.r4;
			boolean aboutThisChild = o.getExtensionsByUrl(FOCUS_EXT)
				.stream()
				.anyMatch(x -> x.getValue() instanceof Reference r && (r.getReference().equals(child.getReference())
						|| r.getReference().endsWith("/" + source.getIdElement().getIdPart())))
					|| o.getSubject().getReference().equals(child.getReference());
			if (!aboutThisChild && birthParts.stream()
				.filter(p -> hasCode(((Observation) p.r4).getCode(), "364336006"))
				.count() != 1) {
				continue;
			}
			if (hasCode(o.getCode(), "364336006")) {
				mode = o;
				part.consumed = true;
			}
			else if (hasCode(o.getCode(), "276507005") && aboutThisChild) {
				stillbirth = !(o.getValue() instanceof BooleanType b) || b.booleanValue();
				part.consumed = true;
			}
		}
		if (mode != null && mode.getValue() instanceof CodeableConcept cc) {
			Observation sent = mode;
			Item part = birthParts.stream().filter(i -> i.r4 == sent).findFirst().orElseThrow();
			Coding ks = cc.getCoding()
				.stream()
				.map(c -> mappings.translate(c, InboundMappings.VALUES))
				.flatMap(Optional::stream)
				.findFirst()
				.orElseThrow(() -> refuse(part, ".valueCodeableConcept", "the pattern of delivery " + describe(cc)
						+ " has no ks-mode-of-delivery equivalent (ConceptMap bc-to-ks-values)"));
			CodeableConcept value = cc.copy();
			value.getCoding().removeIf(c -> ks.getCode().equals(c.getCode()) && ks.getSystem().equals(c.getSystem()));
			value.getCoding().add(0, ks);
			birth.addExtension(new Extension(KS + "ks-ext-mode-of-delivery", value));
		}
		if (birth.getPerformed() instanceof Period p && p.hasStart() && (!p.hasEnd() || p.getEnd().equals(p.getStart()))
				&& allows(item, "Procedure.performed[x]", "dateTime")) {
			birth.setPerformed(p.getStartElement().copy());
		}
		birth.setOutcome(stillbirth ? new CodeableConcept(new Coding(SCT, "237364002", "Stillbirth"))
				: new CodeableConcept(new Coding(SCT, "281050002", "Livebirth")));
	}

	/**
	 * The birth says who the mother is: without a bc-MotherOf in the bundle, its
	 * ks-mother-child-link is made from the birth (the link lets a child's later data
	 * reach the mother's handover).
	 */
	private static Item motherChildLink(Item birth) {
		Procedure p = (Procedure) birth.mapped;
		RelatedPerson link = new RelatedPerson();
		link.getMeta().addProfile(KS + "ks-mother-child-link");
		link.addIdentifier()
			.setSystem(SOURCE_ID)
			.setValue("RelatedPerson/mother-of-" + birth.entry.resource().getIdElement().getIdPart());
		link.setPatient(((Reference) p.getExtensionByUrl(KS + "ks-ext-child").getValue()).copy());
		link.addRelationship(
				new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/v3-RoleCode", "MTH", "mother")));
		link.addExtension(new Extension(KS + "ks-ext-mother", p.getSubject().copy()));
		Item item = new Item(birth.entry, birth.r4);
		item.rule = birth.rule;
		item.mapped = link;
		item.derived = true;
		return item;
	}

	private static Reference motherOf(Procedure birth, Map<String, Item> byKey) {
		Item episode = byKey.get(birth.getEncounter().getReference());
		if (episode != null && episode.r4 instanceof EpisodeOfCare eoc) {
			return eoc.getPatient();
		}
		for (Reference part : birth.getPartOf()) {
			Item delivery = byKey.get(part.getReference());
			if (delivery != null && delivery.r4 instanceof Procedure p) {
				return p.getSubject();
			}
		}
		return null;
	}

	private void completeLink(Item item, RelatedPerson link, Map<String, Item> byKey) {
		for (CodeableConcept relationship : link.getRelationship()) {
			List.copyOf(relationship.getCoding())
				.forEach(c -> mappings.translate(c, InboundMappings.CODES).ifPresent(t -> addCoding(relationship, t)));
		}
		Item mother = byKey.values().stream().filter(i -> "mother".equals(i.role)).findFirst().orElse(null);
		if (mother == null) {
			throw refuse(item, "", "a bc-MotherOf needs the mother's Patient in the same bundle");
		}
		link.addExtension(new Extension(KS + "ks-ext-mother", new Reference(mother.entry.fullUrl() != null
				? mother.entry.fullUrl() : "Patient/" + mother.entry.resource().getIdElement().getIdPart())));
	}

	/**
	 * References to resources of this bundle point to their new entries; to others by the
	 * identifier they were stored under: a person's BSN when the reference carries it,
	 * otherwise the sender's id.
	 */
	private void relink(Item item, Map<String, Item> byKey) {
		for (Reference ref : terser.getAllPopulatedChildElementsOfType(item.mapped, Reference.class)) {
			if (!ref.hasReference()) {
				continue;
			}
			Item target = byKey.get(ref.getReference());
			if (target != null && target.mapped != null) {
				ref.setReference(target.placeholder).setDisplay(null);
			}
			else if (target == null && ref.getReference().matches("[A-Z][A-Za-z]+/[A-Za-z0-9.-]+")) {
				String type = ref.getReference().substring(0, ref.getReference().indexOf('/'));
				if (ref.hasIdentifier()) {
					// a person stored earlier, named by BSN: our ids are not the sender's
					ref.setType(type).setReference(null).setDisplay(null);
				}
				else if (!type.equals("Patient")) {
					ref.setReference(type + "?identifier=" + SOURCE_ID + "|" + ref.getReference()).setDisplay(null);
				}
			}
		}
	}

	/**
	 * An R4 path of the translated bundle as the sender's path, with the ks- profile and
	 * PWD concept where known.
	 */
	private String locate(String r4Path, List<Item> placed) {
		Matcher m = ENTRY.matcher(r4Path == null ? "" : r4Path);
		if (!m.find()) {
			m = ENTRY_TEXT.matcher(r4Path == null ? "" : r4Path);
			if (!m.find()) {
				return null;
			}
		}
		int index = Integer.parseInt(m.group(1));
		if (index >= placed.size()) {
			return null;
		}
		Item item = placed.get(index);
		String rest = m.group(2).replaceAll("\\.ofType\\(\\w+\\)", "").replace(".encounter", ".context");
		if (rest.startsWith(".extension") && rest.contains("workflow-episodeOfCare")) {
			rest = ".context";
		}
		String known = mappings.concept(item.derived ? null : item.rule, item.r4.fhirType() + rest);
		String concept = known.isEmpty() ? "" : ", PWD concept " + known;
		String sent = item.entry.resource().getIdElement().hasIdPart()
				? item.r4.fhirType() + "/" + item.entry.resource().getIdElement().getIdPart()
				: "the " + item.r4.fhirType();
		return item.entry.location() + rest + " (" + sent + " as "
				+ item.mapped.getMeta().getProfile().get(0).getValue().replace(KS, "") + concept + ")";
	}

	private UnprocessableEntityException refuse(Item item, String suffix, String message) {
		return refuse(item.entry.location() + suffix, message,
				mappings.concept(item.rule, item.r4.fhirType() + suffix));
	}

	/**
	 * A 422 whose issue names the sender's path ({@code expression}) and the PWD concept
	 * when known.
	 */
	static UnprocessableEntityException refuse(String stu3Path, String message, String concept) {
		String text = stu3Path + ": " + message
				+ (concept == null || concept.isEmpty() ? "" : " (PWD concept " + concept + ")");
		UnprocessableEntityException e = new UnprocessableEntityException(text);
		org.hl7.fhir.r4.model.OperationOutcome oo = new org.hl7.fhir.r4.model.OperationOutcome();
		oo.addIssue()
			.setSeverity(org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity.ERROR)
			.setCode(org.hl7.fhir.r4.model.OperationOutcome.IssueType.CODEINVALID)
			.setDiagnostics(text)
			.addExpression(stu3Path);
		e.setOperationOutcome(oo);
		return e;
	}

	private static boolean sameDay(Type a, Type b) {
		String x = a instanceof Period p ? p.getStartElement().getValueAsString()
				: a instanceof DateTimeType d ? d.getValueAsString() : null;
		String y = b instanceof Period p ? p.getStartElement().getValueAsString()
				: b instanceof DateTimeType d ? d.getValueAsString() : null;
		return x != null && y != null && x.length() >= 10 && y.length() >= 10
				&& x.substring(0, 10).equals(y.substring(0, 10));
	}

	private static boolean hasCode(CodeableConcept cc, String code) {
		return cc.getCoding().stream().anyMatch(c -> code.equals(c.getCode()));
	}

	private static CodeableConcept code(Resource r) {
		org.hl7.fhir.r4.model.Property code = r.getNamedProperty("code");
		return code != null && code.hasValues() && code.getValues().get(0) instanceof CodeableConcept cc ? cc : null;
	}

	private static String describe(Resource r, CodeableConcept code) {
		return r.fhirType() + (code == null ? "" : " with code " + describe(code));
	}

	private static String describe(CodeableConcept cc) {
		Map<String, String> codes = new LinkedHashMap<>();
		cc.getCoding().forEach(c -> codes.put(c.getSystem() + "|" + c.getCode(), c.getDisplay()));
		return codes.entrySet()
			.stream()
			.map(e -> e.getKey() + (e.getValue() == null ? "" : " (" + e.getValue() + ")"))
			.toList()
			.toString();
	}

}
