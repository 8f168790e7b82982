package nl.kansrijkestart.tools;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Type;

/**
 * Deterministic synthetic pregnancies as transaction Bundles that conform to the
 * Kansrijke Start profiles, with Dutch base rates (DOMAIN.md) and a {@link Truth} record
 * of what each one should count for.
 */
public final class PregnancyGenerator {

	public static final String PROFILE = "https://kansrijkestart.nl/fhir/StructureDefinition/";

	public static final String BSN = "http://fhir.nl/fhir/NamingSystem/bsn";

	public static final String URA = "http://fhir.nl/fhir/NamingSystem/ura";

	public static final String MUNICIPALITY_SYSTEM = "https://kansrijkestart.nl/fhir/NamingSystem/cbs-gemeentecode";
	static final String SCT = "http://snomed.info/sct";
	static final String LOINC = "http://loinc.org";
	static final String UCUM = "http://unitsofmeasure.org";

	/**
	 * Base rates (DOMAIN.md): preterm 6.6%, SGA 9.7%, perinatal mortality ~7.8 per 1000,
	 * ...
	 */
	public static final double TWIN_RATE = 0.016;

	public static final double PRETERM_RATE = 0.066;

	public static final double SGA_RATE = 0.097;

	public static final double STILLBIRTH_RATE = 0.004;

	public static final double SMOKING_RATE = 0.055;

	public static final double BREASTFEEDING_RATE = 0.75;

	public static final double CARE_BEFORE_WEEK_10_RATE = 0.81;

	public record Municipality(String code, String name, String postalPrefix, int weight) {
	}

	public record Vsv(String name, String ura, Municipality municipality) {
	}

	public static final List<Municipality> MUNICIPALITIES = List.of(new Municipality("GM0363", "Amsterdam", "10", 10),
			new Municipality("GM0599", "Rotterdam", "30", 7), new Municipality("GM0518", "'s-Gravenhage", "25", 6),
			new Municipality("GM0344", "Utrecht", "35", 4), new Municipality("GM0392", "Haarlem", "20", 2),
			new Municipality("GM0268", "Nijmegen", "65", 2));

	public static final List<Vsv> VSVS = MUNICIPALITIES.stream()
		.flatMap(m -> List
			.of(new Vsv("VSV " + m.name() + " Noord", ura(m, 1), m), new Vsv("VSV " + m.name() + " Zuid", ura(m, 2), m))
			.stream())
		.toList();

	public record ChildTruth(boolean liveBirth, int birthWeightGrams, int percentile, boolean smallForGestationalAge,
			String feeding, boolean bsnKnown) {
	}

	/**
	 * What this pregnancy should count for in the indicators, written by the generator,
	 * never derived from FHIR.
	 */
	public record Truth(String motherBsn, String municipality, String vsvUra, LocalDate birthDate,
			int gestationalAgeAtBirthDays, int gestationalAgeAtFirstVisitDays, boolean smoking,
			List<ChildTruth> children) {

		public boolean preterm() {
			return gestationalAgeAtBirthDays < 259;
		}

		public boolean careStartBeforeWeek10() {
			return gestationalAgeAtFirstVisitDays < 70;
		}
	}

	public record GeneratedPregnancy(Bundle bundle, Truth truth) {
	}

	private final Random random;

	private int sequence;

	static final String EPISODE_OF_CARE = "http://hl7.org/fhir/StructureDefinition/workflow-episodeOfCare";

	public PregnancyGenerator(long seed) {
		this.random = new Random(seed);
	}

	public GeneratedPregnancy next() {
		sequence++;
		Vsv vsv = pickVsv();
		Municipality m = vsv.municipality();
		String recordId = vsv.ura() + "-" + Long.toHexString(random.nextLong() & 0xffffffffffL);
		Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);

		LocalDate edd = LocalDate.of(2024, 1, 1).plusDays(random.nextInt(731));
		boolean preterm = random.nextDouble() < PRETERM_RATE;
		int gaBirth = preterm ? 168 + random.nextInt(91) : 259 + random.nextInt(35);
		LocalDate birthDate = edd.minusDays(280 - gaBirth);
		LocalDate pregnancyStart = birthDate.minusDays(gaBirth);
		int gaFirstVisit = random.nextDouble() < CARE_BEFORE_WEEK_10_RATE ? 42 + random.nextInt(28)
				: 70 + random.nextInt(70);
		boolean smoking = random.nextDouble() < SMOKING_RATE;
		boolean twins = random.nextDouble() < TWIN_RATE;

		String orgUrl = entry(bundle, organization(vsv), "POST", "Organization", "identifier=" + URA + "|" + vsv.ura());
		String motherBsn = bsn();
		Patient mother = mother(motherBsn, m);
		String motherUrl = entry(bundle, mother, "PUT", "Patient?identifier=" + BSN + "|" + motherBsn, null);
		EpisodeOfCare episode = new EpisodeOfCare();
		profile(episode, "ks-pregnancy-episode");
		episode.addIdentifier(id(vsv, recordId, "episode"));
		episode.setStatus(EpisodeOfCare.EpisodeOfCareStatus.FINISHED);
		episode.addType(cc(SCT, "364320009", "Pregnancy observable"));
		episode.setPatient(new Reference(motherUrl));
		episode.setManagingOrganization(new Reference(orgUrl));
		episode.setPeriod(new Period().setStartElement(new DateTimeType(date(pregnancyStart.plusDays(gaFirstVisit))))
			.setEndElement(new DateTimeType(date(birthDate.plusDays(10)))));
		String episodeUrl = conditional(bundle, episode, vsv, recordId, "episode");

		LocalDate firstVisit = pregnancyStart.plusDays(gaFirstVisit);
		inPregnancy(bundle, episodeUrl, vsv, recordId, "ga-first-visit", "ks-gestational-age-first-visit", SCT,
				"57036006", "Length of gestation", motherUrl, firstVisit, quantity(gaFirstVisit, "d", "days"));
		int gravidity = 1 + random.nextInt(4);
		observation(bundle, vsv, recordId, "gravidity", "ks-gravidity", SCT, "161732006", "Gravida", motherUrl,
				firstVisit, new IntegerType(gravidity));
		observation(bundle, vsv, recordId, "parity", "ks-parity", SCT, "364325004", "Parity", motherUrl, firstVisit,
				new IntegerType(random.nextInt(gravidity)));
		observation(bundle, vsv, recordId, "edd", "ks-estimated-due-date", SCT, "161714006",
				"Estimated date of delivery", motherUrl, firstVisit, day(edd));
		inPregnancy(bundle, episodeUrl, vsv, recordId, "smoking", "ks-smoking-in-pregnancy", SCT, "365980008",
				"Tobacco use", motherUrl, firstVisit, yesNo(smoking));
		inPregnancy(bundle, episodeUrl, vsv, recordId, "alcohol", "ks-alcohol-in-pregnancy", SCT, "228273003",
				"Alcohol intake", motherUrl, firstVisit, yesNo(random.nextDouble() < 0.03));
		inPregnancy(bundle, episodeUrl, vsv, recordId, "drugs", "ks-drugs-in-pregnancy", SCT, "228366006", "Drug use",
				motherUrl, firstVisit, yesNo(random.nextDouble() < 0.01));
		observation(bundle, vsv, recordId, "pertussis", "ks-maternal-pertussis-vaccination", SCT, "39343008",
				"Pertussis vaccination", motherUrl, pregnancyStart.plusDays(154), yesNo(random.nextDouble() < 0.7));
		observation(bundle, vsv, recordId, "blood-group", "ks-prenatal-screening", LOINC, "882-1",
				"ABO and Rh group [Type] in Blood", motherUrl, firstVisit.plusDays(7), cc(SCT, "17621005", "Normal"));
		observation(bundle, vsv, recordId, "seo", "ks-prenatal-screening",
				"https://kansrijkestart.nl/fhir/CodeSystem/ks-prenatal-screening", "SEO",
				"Structural ultrasound examination around 20 weeks", motherUrl, pregnancyStart.plusDays(140),
				cc(SCT, random.nextDouble() < 0.03 ? "263654008" : "17621005", null));
		Observation psychosocial = observationResource("ks-psychosocial-assessment", SCT, "423340009",
				"Family situation assessment", motherUrl, firstVisit, yesNo(random.nextDouble() < 0.1));
		psychosocial.addComponent()
			.setCode(cc(SCT, "412732008", "History of domestic violence"))
			.setValue(yesNo(random.nextDouble() < 0.02));
		psychosocial.addComponent().setCode(cc(SCT, "160933000", "Debts")).setValue(yesNo(random.nextDouble() < 0.05));
		conditional(bundle, psychosocial, vsv, recordId, "psychosocial");

		List<ChildTruth> children = new ArrayList<>();
		for (int c = 1; c <= (twins ? 2 : 1); c++) {
			children.add(child(bundle, vsv, recordId + "-c" + c, motherUrl, birthDate, gaBirth, twins ? c : 0, m));
		}
		return new GeneratedPregnancy(bundle,
				new Truth(motherBsn, m.code(), vsv.ura(), birthDate, gaBirth, gaFirstVisit, smoking, children));
	}

	private ChildTruth child(Bundle bundle, Vsv vsv, String recordId, String motherUrl, LocalDate birthDate,
			int gaBirth, int birthOrder, Municipality m) {
		boolean live = random.nextDouble() >= STILLBIRTH_RATE;
		boolean sga = random.nextDouble() < SGA_RATE;
		int percentile = sga ? 1 + random.nextInt(9) : 10 + random.nextInt(90);
		int weight = Math.max(400, (int) (3500 - (280 - gaBirth) * 25 - (sga ? 600 : 0) + random.nextGaussian() * 250));
		weight = Math.min(weight, 5500);
		boolean bsnKnown = live && random.nextDouble() < 0.7;
		Patient child = new Patient();
		profile(child, "ks-child");
		if (bsnKnown) {
			child.addIdentifier(new Identifier().setSystem(BSN).setValue(bsn()));
		}
		child.addIdentifier(id(vsv, recordId, "child"));
		child.setBirthDateElement(new DateType(date(birthDate)));
		child.setGender(random.nextBoolean() ? Enumerations.AdministrativeGender.FEMALE
				: Enumerations.AdministrativeGender.MALE);
		if (birthOrder > 0) {
			child.setMultipleBirth(new IntegerType(birthOrder));
		}
		if (!live) {
			child.setDeceased(new DateTimeType(date(birthDate)));
		}
		String childUrl = conditional(bundle, child, vsv, recordId, "child");

		RelatedPerson link = new RelatedPerson();
		profile(link, "ks-mother-child-link");
		link.addExtension(new Extension(PROFILE + "ks-ext-mother", new Reference(motherUrl)));
		link.addIdentifier(id(vsv, recordId, "mother-link"));
		link.setPatient(new Reference(childUrl));
		link.addRelationship(cc("http://terminology.hl7.org/CodeSystem/v3-RoleCode", "MTH", "mother"));
		conditional(bundle, link, vsv, recordId, "mother-link");

		Procedure birth = new Procedure();
		profile(birth, "ks-birth");
		boolean caesarean = random.nextDouble() < 0.17;
		birth.addExtension(new Extension(PROFILE + "ks-ext-mode-of-delivery", caesarean
				? cc(SCT, "11466000", "Cesarean section") : cc(SCT, "177184002", "Normal delivery procedure")));
		birth.addExtension(new Extension(PROFILE + "ks-ext-child", new Reference(childUrl)));
		birth.addExtension(new Extension(PROFILE + "ks-ext-presentation", random.nextDouble() < 0.05
				? cc(SCT, "6096002", "Breech presentation") : cc(SCT, "70028003", "Vertex presentation")));
		birth.addIdentifier(id(vsv, recordId, "birth"));
		birth.setStatus(Procedure.ProcedureStatus.COMPLETED);
		birth.setCode(cc(SCT, "3950001", "Birth"));
		birth.setSubject(new Reference(motherUrl));
		birth.setPerformed(new DateTimeType(date(birthDate)));
		birth.setOutcome(live ? cc(SCT, "281050002", "Livebirth") : cc(SCT, "237364002", "Stillbirth"));
		conditional(bundle, birth, vsv, recordId, "birth");

		observation(bundle, vsv, recordId, "ga-birth", "ks-gestational-age-at-birth", SCT, "412726003",
				"Length of gestation at birth", childUrl, birthDate, quantity(gaBirth, "d", "days"));
		observation(bundle, vsv, recordId, "weight", "ks-birth-weight", LOINC, "8339-4", "Birth weight Measured",
				childUrl, birthDate, quantity(weight, "g", "g"));
		observation(bundle, vsv, recordId, "percentile", "ks-birth-weight-percentile", SCT, "301334000",
				"Birth weight centile", childUrl, birthDate, quantity(percentile, "{percentile}", "percentile"));
		String feeding = null;
		if (live) {
			observation(bundle, vsv, recordId, "length", "ks-birth-length", LOINC, "89269-5",
					"Body height Measured --at birth", childUrl, birthDate,
					quantity(42 + random.nextInt(14), "cm", "cm"));
			observation(bundle, vsv, recordId, "head", "ks-head-circumference", LOINC, "9843-4",
					"Head Occipital-frontal circumference", childUrl, birthDate,
					quantity(30 + random.nextInt(7), "cm", "cm"));
			observation(bundle, vsv, recordId, "apgar1", "ks-apgar-score", LOINC, "9272-6", "1 minute Apgar Score",
					childUrl, birthDate, new IntegerType(5 + random.nextInt(6)));
			observation(bundle, vsv, recordId, "apgar5", "ks-apgar-score", LOINC, "9274-2", "5 minute Apgar Score",
					childUrl, birthDate, new IntegerType(7 + random.nextInt(4)));
			double f = random.nextDouble();
			feeding = f < BREASTFEEDING_RATE * 0.85 ? "169643005" : f < BREASTFEEDING_RATE ? "169645003" : "169644004";
			observation(bundle, vsv, recordId, "feeding", "ks-feeding", SCT, "289145007", "Feeding pattern", childUrl,
					birthDate, cc(SCT, feeding, null));
			observation(bundle, vsv, recordId, "vitamin-k", "ks-vitamin-k", SCT, "698350008", "Vitamin K prophylaxis",
					childUrl, birthDate, yesNo(true));
			observation(bundle, vsv, recordId, "heel-prick", "ks-heel-prick", SCT, "77262006", "Neonatal screening",
					childUrl, birthDate.plusDays(4), cc(SCT, "17621005", "Normal"));
			observation(bundle, vsv, recordId, "hearing", "ks-hearing-screening", SCT, "252957005",
					"Neonatal hearing screening", childUrl, birthDate.plusDays(5),
					cc(SCT, random.nextDouble() < 0.02 ? "263654008" : "17621005", null));
			if (gaBirth < 224 || random.nextDouble() < 0.03) {
				observation(bundle, vsv, recordId, "nicu", "ks-nicu-admission", SCT, "830077005",
						"Referral to neonatal intensive care unit", childUrl, birthDate, yesNo(true));
			}
		}
		return new ChildTruth(live, weight, percentile, sga, feeding, bsnKnown);
	}

	private Vsv pickVsv() {
		int total = MUNICIPALITIES.stream().mapToInt(Municipality::weight).sum() * 2;
		int pick = random.nextInt(total);
		for (Vsv v : VSVS) {
			pick -= v.municipality().weight();
			if (pick < 0) {
				return v;
			}
		}
		return VSVS.get(0);
	}

	private Patient mother(String bsn, Municipality m) {
		Patient p = new Patient();
		profile(p, "ks-mother");
		p.addIdentifier(new Identifier().setSystem(BSN).setValue(bsn));
		p.addName(new HumanName().setFamily("Synthetisch").addGiven("Moeder" + sequence));
		p.setGender(Enumerations.AdministrativeGender.FEMALE);
		p.setBirthDateElement(new DateType(date(LocalDate.of(1980, 1, 1).plusDays(random.nextInt(7000)))));
		Address address = p.addAddress();
		address.addExtension(
				new Extension(PROFILE + "ks-ext-municipality", new Coding(MUNICIPALITY_SYSTEM, m.code(), m.name())));
		address.setCity(m.name().replace("'s-Gravenhage", "Den Haag"));
		address.setPostalCode(m.postalPrefix() + (10 + random.nextInt(90)) + " " + (char) ('A' + random.nextInt(26))
				+ (char) ('A' + random.nextInt(26)));
		address.setCountry("NL");
		return p;
	}

	private static Organization organization(Vsv vsv) {
		Organization o = new Organization();
		profile(o, "ks-organization");
		o.addIdentifier(new Identifier().setSystem(URA).setValue(vsv.ura()));
		o.setName(vsv.name());
		return o;
	}

	private void observation(Bundle bundle, Vsv vsv, String recordId, String kind, String profile, String system,
			String code, String display, String subject, LocalDate when, Type value) {
		conditional(bundle, observationResource(profile, system, code, display, subject, when, value), vsv, recordId,
				kind);
	}

	private static Observation observationResource(String profile, String system, String code, String display,
			String subject, LocalDate when, Type value) {
		Observation o = new Observation();
		profile(o, profile);
		o.setStatus(Observation.ObservationStatus.FINAL);
		o.setCode(cc(system, code, display));
		if (profile.equals("ks-head-circumference")) {
			// a vital sign in R4 (LOINC 9843-4): the core vital-signs profile requires
			// its category
			o.addCategory(
					cc("http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs", "Vital Signs"));
		}
		o.setSubject(new Reference(subject));
		o.setEffective(day(when));
		o.setValue(value);
		return o;
	}

	/**
	 * An observation about this pregnancy (smoking, alcohol and drugs in it, gestational
	 * age at its first visit): it names the pregnancy episode (R4
	 * workflow-episodeOfCare), which tells it from the same code about the woman in
	 * general (zib TobaccoUse, AlcoholUse, DrugUse, PregnancyDuration).
	 */
	private void inPregnancy(Bundle bundle, String episodeUrl, Vsv vsv, String recordId, String kind, String profile,
			String system, String code, String display, String subject, LocalDate when, Type value) {
		Observation o = observationResource(profile, system, code, display, subject, when, value);
		o.addExtension(EPISODE_OF_CARE, new Reference(episodeUrl));
		conditional(bundle, o, vsv, recordId, kind);
	}

	/**
	 * Adds the resource as a conditional update on its business identifier; returns its
	 * fullUrl.
	 */
	private String conditional(Bundle bundle, Resource resource, Vsv vsv, String recordId, String kind) {
		Identifier identifier = id(vsv, recordId, kind);
		if (resource instanceof Observation o) {
			o.addIdentifier(identifier);
		}
		return entry(bundle, resource, "PUT",
				resource.fhirType() + "?identifier=" + identifier.getSystem() + "|" + identifier.getValue(), null);
	}

	private String entry(Bundle bundle, Resource resource, String method, String url, String ifNoneExist) {
		String fullUrl = "urn:uuid:" + new UUID(random.nextLong(), random.nextLong());
		Bundle.BundleEntryComponent e = bundle.addEntry().setFullUrl(fullUrl).setResource(resource);
		e.getRequest().setMethod(Bundle.HTTPVerb.fromCode(method)).setUrl(url).setIfNoneExist(ifNoneExist);
		return fullUrl;
	}

	private static Identifier id(Vsv vsv, String recordId, String kind) {
		return new Identifier().setSystem("https://synthetic.kansrijkestart.nl/" + vsv.ura() + "/record")
			.setValue(recordId + "-" + kind);
	}

	private static void profile(Resource r, String id) {
		r.getMeta().addProfile(PROFILE + id);
	}

	static CodeableConcept cc(String system, String code, String display) {
		return new CodeableConcept(new Coding(system, code, display));
	}

	private static CodeableConcept yesNo(boolean yes) {
		return yes ? cc(SCT, "373066001", "Yes") : cc(SCT, "373067005", "No");
	}

	private static Quantity quantity(double value, String code, String unit) {
		return new Quantity().setValue(value).setSystem(UCUM).setCode(code).setUnit(unit);
	}

	private static DateTimeType day(LocalDate d) {
		return new DateTimeType(d.toString());
	}

	private static Date date(LocalDate d) {
		return Date.from(d.atTime(12, 0).atOffset(ZoneOffset.ofHours(1)).toInstant());
	}

	/** A random nine-digit number that passes the elfproef. */
	public String bsn() {
		while (true) {
			int[] d = new int[9];
			int sum = 0;
			d[0] = 1 + random.nextInt(9);
			for (int i = 0; i < 8; i++) {
				if (i > 0) {
					d[i] = random.nextInt(10);
				}
				sum += d[i] * (9 - i);
			}
			int check = sum % 11;
			if (check < 10) {
				d[8] = check;
				StringBuilder sb = new StringBuilder();
				for (int x : d) {
					sb.append(x);
				}
				return sb.toString();
			}
		}
	}

	public static boolean elfproef(String bsn) {
		if (bsn == null || !bsn.matches("[0-9]{9}") || bsn.equals("000000000")) {
			return false;
		}
		int sum = 0;
		for (int i = 0; i < 8; i++) {
			sum += (bsn.charAt(i) - '0') * (9 - i);
		}
		return (sum - (bsn.charAt(8) - '0')) % 11 == 0;
	}

	private static String ura(Municipality m, int n) {
		return String.format("9%s%d%02d", m.code().substring(2), n, 10 + n);
	}

}
