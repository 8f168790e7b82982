package nl.kansrijkestart.gateway.monitoring;

import java.sql.Date;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Optional;
import nl.kansrijkestart.gateway.consent.ConsentDecision;
import nl.kansrijkestart.gateway.consent.ConsentService;
import nl.kansrijkestart.gateway.consent.Purpose;
import nl.kansrijkestart.gateway.handover.HandoverService;
import nl.kansrijkestart.gateway.privacy.Pseudonymizer;
import nl.kansrijkestart.gateway.store.BirthCareRecord;
import nl.kansrijkestart.gateway.store.BirthCareRecords;
import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Quantity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Keeps the pseudonymised monitoring facts of one mother (her pregnancy, her children's
 * births) in step with her record, her consent and her handovers. What is kept is what
 * the indicators need: months, not dates; keyed pseudonyms, not identifiers.
 */
@Component
class MonitoringFacts {

	static final ZoneId NL = ZoneId.of("Europe/Amsterdam");

	private static final String BSN = "http://fhir.nl/fhir/NamingSystem/bsn";

	private static final String YES = "373066001";

	private final BirthCareRecords records;

	private final ConsentService consent;

	private final HandoverService handovers;

	private final Pseudonymizer pseudonymizer;

	private final JdbcTemplate jdbc;

	MonitoringFacts(BirthCareRecords records, ConsentService consent, HandoverService handovers,
			Pseudonymizer pseudonymizer, JdbcTemplate jdbc) {
		this.records = records;
		this.consent = consent;
		this.handovers = handovers;
		this.pseudonymizer = pseudonymizer;
		this.jdbc = jdbc;
	}

	void refresh(String motherId) {
		Optional<BirthCareRecords.Loaded> loaded = records.load(motherId);
		if (loaded.isEmpty()) {
			return;
		}
		BirthCareRecord record = loaded.get().record();
		String municipality = loaded.get().municipality();
		String vsv = loaded.get().owner();
		Instant now = Instant.now();
		String bsn = bsn(record.mother());
		Integer firstVisit = days(find(record.observations(), "57036006"));
		Boolean smoking = yesNo(find(record.observations(), "365980008"));
		LocalDate month = record.births()
			.stream()
			.map(b -> birthDate(b))
			.filter(d -> d != null)
			.findFirst()
			.or(() -> Optional.ofNullable(find(record.observations(), "161714006"))
				.map(o -> date(o.getValueDateTimeType())))
			.orElse(LocalDate.now(NL))
			.withDayOfMonth(1);
		String recordKey = key("record|" + motherId);
		String personKey = bsn == null ? null : key("person|" + bsn);
		Set<Cell> touched = new HashSet<>();
		// The record's rows go first: a corrected month or BSN must not leave a stale row
		// behind.
		touched.addAll(jdbc.query("delete from monitoring_pregnancy where record_key = ? returning month, municipality",
				CELL, recordKey));
		String unitKey = (personKey == null ? recordKey : personKey) + "/" + month;
		touched.addAll(
				jdbc.query("select month, municipality from monitoring_pregnancy where unit_key = ?", CELL, unitKey));
		touched.add(new Cell(Date.valueOf(month), municipality));
		jdbc.update(
				"insert into monitoring_pregnancy (unit_key, record_key, person_key, municipality, vsv, month, first_visit_ga_days, smoking,"
						+ " monitoring_permitted) values (?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (unit_key) do update set record_key = excluded.record_key,"
						+ " person_key = excluded.person_key,"
						+ " municipality = excluded.municipality, vsv = excluded.vsv, month = excluded.month,"
						+ " first_visit_ga_days = excluded.first_visit_ga_days, smoking = excluded.smoking,"
						+ " monitoring_permitted = excluded.monitoring_permitted",
				unitKey, recordKey, personKey, municipality, vsv, Date.valueOf(month), firstVisit, smoking,
				permitted(motherId, Purpose.MONITORING, now));
		Optional<LocalDate> prenatalSent = handovers.prenatalHandoverSentAt(motherId)
			.map(i -> LocalDate.ofInstant(i, NL));
		for (BirthCareRecord.Birth birth : record.births()) {
			refreshBirth(birth, bsn, municipality, vsv, prenatalSent, now, touched);
		}
		touched.stream()
			.filter(c -> c.municipality() != null)
			.forEach(c -> jdbc.queryForList("select monitoring_refresh_cells(?, ?)::text", String.class, c.month(),
					c.municipality()));
	}

	/** A (month, municipality) whose counts a refresh may change. */
	private record Cell(Date month, String municipality) {
	}

	private static final org.springframework.jdbc.core.RowMapper<Cell> CELL = (rs, n) -> new Cell(rs.getDate(1),
			rs.getString(2));

	private void refreshBirth(BirthCareRecord.Birth birth, String motherBsn, String municipality, String vsv,
			Optional<LocalDate> prenatalSent, Instant now, Set<Cell> touched) {
		Patient child = birth.child();
		String childId = child.getIdElement().getIdPart();
		LocalDate born = birthDate(birth);
		if (born == null) {
			return;
		}
		int order = child.getMultipleBirth() instanceof org.hl7.fhir.r4.model.IntegerType i ? i.getValue() : 1;
		String birthKey = key(
				motherBsn != null ? "birth|" + motherBsn + "|" + born + "|" + order : "record|" + childId);
		Integer ga = days(find(birth.observations(), "412726003"));
		Quantity weight = quantity(find(birth.observations(), "8339-4"));
		Quantity percentile = quantity(find(birth.observations(), "301334000"));
		Integer deathDay = birth.live() && child.getDeceased() instanceof BaseDateTimeType died
				&& died.getValue() != null ? (int) ChronoUnit.DAYS.between(born, date(died)) : null;
		Observation feeding = find(birth.observations(), "289145007");
		Boolean breastfed = feeding == null || !(feeding.getValue() instanceof CodeableConcept fed) ? null
				: fed.getCoding()
					.stream()
					.anyMatch(c -> c.getCode().equals("169643005") || c.getCode().equals("169645003"));
		Integer prenatalGa = ga == null ? null
				: prenatalSent.map(sent -> (int) ChronoUnit.DAYS.between(born.minusDays(ga), sent)).orElse(null);
		Integer acknowledged = handovers.postnatalAcknowledgedAt(childId)
			.map(at -> (int) ChronoUnit.DAYS.between(born, LocalDate.ofInstant(at, NL)))
			.orElse(null);
		String recordKey = key("record|" + childId);
		touched.addAll(jdbc.query("delete from monitoring_birth where record_key = ? returning month, municipality",
				CELL, recordKey));
		touched
			.addAll(jdbc.query("select month, municipality from monitoring_birth where birth_key = ?", CELL, birthKey));
		touched.add(new Cell(Date.valueOf(born.withDayOfMonth(1)), municipality));
		jdbc.update(
				"insert into monitoring_birth (record_key, birth_key, municipality, vsv, month, ga_days, weight_g, percentile, live,"
						+ " death_day, breastfed, handover_permit, prenatal_handover_ga_days, acknowledged_days, monitoring_permitted)"
						+ " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (birth_key) do update set record_key = excluded.record_key,"
						+ " municipality = excluded.municipality, vsv = excluded.vsv, month = excluded.month, ga_days = excluded.ga_days,"
						+ " weight_g = excluded.weight_g, percentile = excluded.percentile, live = excluded.live, death_day = excluded.death_day,"
						+ " breastfed = excluded.breastfed, handover_permit = excluded.handover_permit,"
						+ " prenatal_handover_ga_days = excluded.prenatal_handover_ga_days, acknowledged_days = excluded.acknowledged_days,"
						+ " monitoring_permitted = excluded.monitoring_permitted",
				recordKey, birthKey, municipality, vsv, Date.valueOf(born.withDayOfMonth(1)), ga,
				weight == null ? null : weight.getValue().intValue(),
				percentile == null ? null : percentile.getValue().intValue(), birth.live(), deathDay, breastfed,
				permitted(childId, Purpose.HANDOVER, now), prenatalGa, acknowledged,
				permitted(childId, Purpose.MONITORING, now));
	}

	private boolean permitted(String patientId, Purpose purpose, Instant now) {
		return consent.decide(patientId, purpose, null, now).map(ConsentDecision::permitted).orElse(false);
	}

	private String key(String what) {
		return pseudonymizer.pseudonym(Pseudonymizer.Domain.MONITORING, what);
	}

	private static LocalDate birthDate(BirthCareRecord.Birth birth) {
		if (birth.child().hasBirthDate()) {
			return date(birth.child().getBirthDateElement());
		}
		return birth.procedure().getPerformed() instanceof BaseDateTimeType performed ? date(performed) : null;
	}

	/**
	 * The calendar day in the Netherlands: a dateTime at 23:30 UTC is the next day there.
	 */
	private static LocalDate date(BaseDateTimeType value) {
		if (value == null || value.getValue() == null) {
			return null;
		}
		String text = value.getValueAsString();
		return text.length() <= 10 ? LocalDate.parse(text) : LocalDate.ofInstant(value.getValue().toInstant(), NL);
	}

	private static String bsn(Patient patient) {
		return patient.getIdentifier()
			.stream()
			.filter(i -> BSN.equals(i.getSystem()))
			.map(org.hl7.fhir.r4.model.Identifier::getValue)
			.findFirst()
			.orElse(null);
	}

	private static Observation find(List<Observation> observations, String code) {
		return observations.stream()
			.filter(o -> o.getCode().getCoding().stream().anyMatch(c -> code.equals(c.getCode())))
			.findFirst()
			.orElse(null);
	}

	private static Quantity quantity(Observation o) {
		return o != null && o.getValue() instanceof Quantity q && q.hasValue() ? q : null;
	}

	private static Integer days(Observation o) {
		Quantity q = quantity(o);
		return q == null ? null : q.getValue().intValue();
	}

	private static Boolean yesNo(Observation o) {
		return o == null || !(o.getValue() instanceof CodeableConcept cc) ? null
				: cc.getCoding().stream().anyMatch(c -> YES.equals(c.getCode()));
	}

}
