package nl.kansrijkestart.gateway.inbound;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hl7.fhir.dstu3.model.BooleanType;
import org.hl7.fhir.dstu3.model.CodeableConcept;
import org.hl7.fhir.dstu3.model.Coding;
import org.hl7.fhir.dstu3.model.DateTimeType;
import org.hl7.fhir.dstu3.model.DateType;
import org.hl7.fhir.dstu3.model.Enumerations;
import org.hl7.fhir.dstu3.model.EpisodeOfCare;
import org.hl7.fhir.dstu3.model.Extension;
import org.hl7.fhir.dstu3.model.Identifier;
import org.hl7.fhir.dstu3.model.Observation;
import org.hl7.fhir.dstu3.model.Patient;
import org.hl7.fhir.dstu3.model.Period;
import org.hl7.fhir.dstu3.model.Procedure;
import org.hl7.fhir.dstu3.model.Quantity;
import org.hl7.fhir.dstu3.model.Reference;
import org.hl7.fhir.dstu3.model.Type;
import org.springframework.stereotype.Component;

/**
 * A kernset message as the Nictiz bc-/zib resources it holds (the table
 * {@code mappings/inbound/kernset.csv}: kernset template → bc-/zib element), which
 * {@link Stu3Translation} then maps like any STU3 intake. The kernset carries no name and
 * no municipality of the woman: she is referred to by BSN and must be registered already
 * (as ks-mother).
 */
@Component
class KernsetTranslation {

	static final String FORMAT = "HL7v3 kernset (PWD 2.3, REPC_IN004014NL)";

	private static final String BSN_ROOT = "2.16.840.1.113883.2.4.6.3";

	private static final String BSN = "http://fhir.nl/fhir/NamingSystem/bsn";

	private static final String FOCUS_EXT = "http://nictiz.nl/fhir/StructureDefinition/observation-focusSTU3";

	private static final Map<String, String> CODE_SYSTEMS = Map.of("2.16.840.1.113883.6.96", "http://snomed.info/sct",
			"2.16.840.1.113883.6.1", "http://loinc.org", "2.16.840.1.113883.6.8", "http://unitsofmeasure.org");

	private static final ZoneId NL = ZoneId.of("Europe/Amsterdam");

	private final InboundMappings mappings;

	KernsetTranslation(InboundMappings mappings) {
		this.mappings = mappings;
	}

	/**
	 * The resources of one message, each at the XPath of the kernset element it came
	 * from.
	 */
	List<Stu3Translation.Stu3Entry> translate(KernsetMessage message) {
		KernsetMessage.Element care = message.root()
			.child("ControlActProcess")
			.flatMap(c -> c.child("subject"))
			.flatMap(s -> s.child("registrationProcess"))
			.flatMap(r -> r.child("subject2"))
			.flatMap(s -> s.child("CareProvisionEvent"))
			.orElseThrow(() -> new InvalidRequestException(
					"No ControlActProcess/subject/registrationProcess/subject2/CareProvisionEvent:"
							+ " not a kernset message (REPC_IN004014NL)"));
		Context context = new Context(care, mother(care), new HashMap<>());
		List<Stu3Translation.Stu3Entry> entries = new ArrayList<>();
		Map<String, Observation> earliest = new HashMap<>();
		walk(care, "", null, context, null, entries, earliest);
		return entries;
	}

	private record Context(KernsetMessage.Element care, Reference mother, Map<String, Integer> occurrences) {
	}

	/**
	 * The woman, by BSN: the kernset has no name or municipality of her, so she is one we
	 * know already.
	 */
	private static Reference mother(KernsetMessage.Element care) {
		KernsetMessage.Element patient = care.child("subject")
			.flatMap(s -> s.child("patient"))
			.orElseThrow(() -> refuse(care.path() + "/subject", "the woman (subject/patient) is missing"));
		KernsetMessage.Element id = patient.all("id")
			.stream()
			.filter(i -> BSN_ROOT.equals(i.attribute("root")))
			.findFirst()
			.orElseThrow(() -> refuse(patient.path(), "the woman has no BSN (id root " + BSN_ROOT + ")"));
		String bsn = id.attribute("extension");
		if (bsn == null || !elfproef(bsn)) {
			throw refuse(id.path() + "/@extension", "the BSN '" + bsn + "' fails the elfproef");
		}
		return new Reference("Patient/kernset-mother").setIdentifier(new Identifier().setSystem(BSN).setValue(bsn));
	}

	static boolean elfproef(String bsn) {
		if (!bsn.matches("\\d{9}")) {
			return false;
		}
		int sum = 0;
		for (int i = 0; i < 8; i++) {
			sum += (bsn.charAt(i) - '0') * (9 - i);
		}
		return (sum - (bsn.charAt(8) - '0')) % 11 == 0;
	}

	/**
	 * {@code time}: the effectiveTime of the nearest kernset element above that has one
	 * (a visit's), or null.
	 */
	private void walk(KernsetMessage.Element element, String templatePath, String time, Context context,
			BirthScope birth, List<Stu3Translation.Stu3Entry> entries, Map<String, Observation> earliest) {
		String template = element.template();
		String path = templatePath;
		BirthScope scope = birth;
		if (template != null) {
			path = element == context.care() ? template
					: templatePath.isEmpty() ? template : templatePath + "/" + template;
			String key = element == context.care() ? template : path;
			Optional<InboundMappings.KernsetElement> row = mappings.kernset()
				.stream()
				.filter(r -> r.templatePath().equals(key))
				.findFirst();
			if (row.isPresent()) {
				scope = add(element, row.get(), time, context, birth, entries, earliest);
			}
			if (element == context.care()) {
				path = "";
			}
		}
		String below = template == null || element == context.care() ? time
				: element.child("effectiveTime").map(t -> t.attribute("value")).orElse(time);
		for (KernsetMessage.Element child : element.children()) {
			walk(child, path, below, context, scope, entries, earliest);
		}
	}

	/** A birth and its child, for the elements inside the Baring. */
	private record BirthScope(Reference child, Patient patient, String birthDate) {
	}

	private BirthScope add(KernsetMessage.Element element, InboundMappings.KernsetElement row, String time,
			Context context, BirthScope birth, List<Stu3Translation.Stu3Entry> entries,
			Map<String, Observation> earliest) {
		String careId = careId(context.care());
		Reference episode = new Reference("EpisodeOfCare/kernset-" + careId);
		// the same element of the same care provision keeps its id in a corrected
		// message: that resend updates it
		// (the earliest of a kind is one resource, whichever visit it comes from)
		int occurrence = row.valueType().endsWith("-earliest") ? 1
				: context.occurrences().merge(row.templatePath(), 1, Integer::sum);
		String id = "kernset-" + careId + "-" + row.templatePath().replace('/', '-') + "-" + occurrence;
		switch (row.bcResource()) {
			case "EpisodeOfCare" -> {
				EpisodeOfCare e = new EpisodeOfCare();
				e.setId("kernset-" + careId);
				e.getMeta().addProfile("http://nictiz.nl/fhir/StructureDefinition/bc-MaternalRecord");
				element.child("id")
					.ifPresent(i -> e.addIdentifier()
						.setSystem("urn:oid:" + i.attribute("root"))
						.setValue(i.attribute("extension")));
				e.setStatus(EpisodeOfCare.EpisodeOfCareStatus.ACTIVE);
				e.addType(new CodeableConcept(coding(row.bcCode(), "zwangerschap")));
				e.setPatient(context.mother());
				Period period = new Period();
				element.child("effectiveTime").ifPresent(t -> {
					t.child("low")
						.map(l -> l.attribute("value"))
						.ifPresent(v -> period.setStartElement(dateTime(v, t.path())));
					t.child("high")
						.map(h -> h.attribute("value"))
						.ifPresent(v -> period.setEndElement(dateTime(v, t.path())));
				});
				e.setPeriod(period);
				entries.add(new Stu3Translation.Stu3Entry(entries.size(), element.path(), null, e));
				return birth;
			}
			case "Procedure" -> {
				KernsetMessage.Element holder = element.child("subject")
					.flatMap(s -> s.child("personalRelationship"))
					.flatMap(p -> p.child("relationshipHolder"))
					.orElseThrow(() -> refuse(element.path() + "/subject",
							"the birth names no child (personalRelationship/relationshipHolder)"));
				if ("true".equals(holder.child("deceasedInd").map(d -> d.attribute("value")).orElse(null))) {
					throw refuse(holder.path() + "/deceasedInd",
							"the child died: whether stillborn or after birth is not in the kernset "
									+ "elements mapped here, so the birth's outcome cannot be told");
				}
				Patient child = new Patient();
				child.setId(id + "-child");
				child.getMeta().addProfile("http://nictiz.nl/fhir/StructureDefinition/bc-Child");
				holder.all("id")
					.stream()
					.filter(i -> BSN_ROOT.equals(i.attribute("root")))
					.findFirst()
					.ifPresent(i -> child.addIdentifier().setSystem(BSN).setValue(i.attribute("extension")));
				String born = holder.child("birthTime")
					.map(b -> b.attribute("value"))
					.orElseThrow(() -> refuse(holder.path(), "the child's birthTime is missing"));
				child.setBirthDateElement(
						new DateType(dateTime(born, holder.path() + "/birthTime").getValueAsString().substring(0, 10)));
				Reference childRef = new Reference("Patient/" + child.getIdElement().getIdPart());
				Procedure p = new Procedure();
				p.setId(id);
				p.getMeta().addProfile("http://nictiz.nl/fhir/StructureDefinition/bc-Birth");
				p.setStatus(Procedure.ProcedureStatus.COMPLETED);
				p.setCode(new CodeableConcept(coding(row.bcCode(), "geboorte")));
				p.setSubject(childRef);
				p.setContext(episode);
				p.setPerformed(dateTime(element.child("effectiveTime").map(t -> t.attribute("value")).orElse(born),
						element.path()));
				entries.add(new Stu3Translation.Stu3Entry(entries.size(), holder.path(), null, child));
				entries.add(new Stu3Translation.Stu3Entry(entries.size(), element.path(), null, p));
				return new BirthScope(childRef, child, born);
			}
			case "Patient.gender" -> {
				if (birth == null) {
					return null;
				}
				Coding sent = value(element, row).map(v -> (CodeableConcept) v)
					.map(CodeableConcept::getCodingFirstRep)
					.orElse(null);
				if (sent != null) {
					org.hl7.fhir.r4.model.Coding gender = mappings
						.translate(new org.hl7.fhir.r4.model.Coding(sent.getSystem(), sent.getCode(), null),
								InboundMappings.VALUES)
						.orElseThrow(() -> refuse(element.path() + "/value", "the sex '" + sent.getCode() + "' ("
								+ sent.getDisplay() + ") has no FHIR equivalent (ConceptMap bc-to-ks-values)"));
					birth.patient().setGender(Enumerations.AdministrativeGender.fromCode(gender.getCode()));
				}
				return birth;
			}
			default -> {
				Optional<Type> value = value(element, row);
				if (value.isEmpty()) {
					return birth;
				}
				Observation o = new Observation();
				o.setId(id);
				o.setStatus(Observation.ObservationStatus.FINAL);
				CodeableConcept code = new CodeableConcept(coding(row.bcCode(), row.name()));
				element.child("code")
					.ifPresent(c -> code.addCoding(new Coding(system(c.attribute("codeSystem")), c.attribute("code"),
							c.attribute("displayName"))));
				o.setCode(code);
				o.setSubject(birth != null && row.templatePath().startsWith("901101/901102/") ? birth.child()
						: context.mother());
				if (row.bcCode().endsWith("|364336006") && birth != null) {
					o.addExtension(new Extension(FOCUS_EXT, birth.child()));
				}
				o.setContext(episode);
				o.setEffective(effective(element, time, birth, context));
				o.setValue(value.get());
				if (row.valueType().endsWith("-earliest")) {
					Observation seen = earliest.get(row.templatePath());
					if (seen != null && !o.getEffectiveDateTimeType().before(seen.getEffectiveDateTimeType())) {
						return birth;
					}
					if (seen != null) {
						entries.removeIf(e -> e.resource() == seen);
					}
					earliest.put(row.templatePath(), o);
				}
				entries.add(new Stu3Translation.Stu3Entry(entries.size(), element.path(), null, o));
				return birth;
			}
		}
	}

	private static String careId(KernsetMessage.Element care) {
		return care.child("id")
			.map(i -> i.attribute("extension"))
			.filter(x -> x != null && x.matches("[A-Za-z0-9.-]{1,60}"))
			.orElseThrow(() -> refuse(care.path() + "/id",
					"the CareProvisionEvent needs an id (extension: letters, digits, '-' or '.')"));
	}

	/**
	 * The element's own time, else its nearest timed ancestor's (a visit's), else the
	 * birth's, else the care's start.
	 */
	private static DateTimeType effective(KernsetMessage.Element element, String visit, BirthScope birth,
			Context context) {
		Optional<String> own = element.child("effectiveTime")
			.map(t -> t.attribute("value") != null ? t.attribute("value")
					: t.child("low").map(l -> l.attribute("value")).orElse(null));
		if (own.isPresent()) {
			return dateTime(own.get(), element.path() + "/effectiveTime");
		}
		if (visit != null) {
			return dateTime(visit, element.path());
		}
		if (birth != null) {
			return dateTime(birth.birthDate(), element.path());
		}
		return context.care()
			.child("effectiveTime")
			.flatMap(t -> t.child("low"))
			.map(l -> dateTime(l.attribute("value"), element.path()))
			.orElseThrow(() -> refuse(element.path(), "no time for this element, its visit or the care provision"));
	}

	/**
	 * The value as the table's type says (INT, PQ, TS, CE, BL); empty for a null flavour.
	 */
	private static Optional<Type> value(KernsetMessage.Element element, InboundMappings.KernsetElement row) {
		KernsetMessage.Element v = element.child("value").orElse(null);
		if (v == null || v.attribute("nullFlavor") != null) {
			return Optional.empty();
		}
		String type = row.valueType().replace("-earliest", "");
		String where = v.path();
		try {
			return Optional.of(switch (type) {
				case "INT" -> new Quantity().setValue(Long.parseLong(v.attribute("value")));
				case "PQ" -> new Quantity().setValue(new java.math.BigDecimal(v.attribute("value")))
					.setUnit(v.attribute("unit"))
					.setSystem("http://unitsofmeasure.org")
					.setCode(v.attribute("unit"));
				case "TS" -> dateTime(v.attribute("value"), where);
				case "BL" -> new BooleanType(Boolean.parseBoolean(v.attribute("value")));
				case "CE" -> new CodeableConcept(
						new Coding(system(v.attribute("codeSystem")), v.attribute("code"), v.attribute("displayName")));
				default -> throw new IllegalStateException("kernset.csv: unknown value type " + row.valueType());
			});
		}
		catch (NumberFormatException | NullPointerException e) {
			throw refuse(where, "the value is not a " + type + " (" + row.name() + ")");
		}
	}

	private static String system(String oid) {
		return oid == null ? null : CODE_SYSTEMS.getOrDefault(oid, "urn:oid:" + oid);
	}

	private static Coding coding(String systemAndCode, String display) {
		String[] parts = systemAndCode.split("\\|", 2);
		return new Coding(parts[0], parts[1], display);
	}

	/**
	 * An HL7v3 TS (yyyyMMdd[HHmm[ss]]) as a FHIR date or dateTime; a time without zone is
	 * Dutch time.
	 */
	static DateTimeType dateTime(String ts, String where) {
		if (ts == null || !ts.matches("\\d{8}(\\d{4}(\\d{2})?)?([+-]\\d{4})?")) {
			throw refuse(where, "the time '" + ts + "' is not an HL7v3 TS (yyyyMMdd[HHmm[ss]])");
		}
		String digits = ts.replaceAll("[+-]\\d{4}$", "");
		if (digits.length() == 8) {
			return new DateTimeType(
					digits.substring(0, 4) + "-" + digits.substring(4, 6) + "-" + digits.substring(6, 8));
		}
		LocalDateTime local = LocalDateTime.parse((digits + "00").substring(0, 14),
				DateTimeFormatter.ofPattern("yyyyMMddHHmmss"));
		return new DateTimeType(local.atZone(NL).toOffsetDateTime().toString());
	}

	private static UnprocessableEntityException refuse(String where, String message) {
		return Stu3Translation.refuse(where, message, null);
	}

}
