package nl.kansrijkestart.gateway.monitoring;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Date;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Objects;
import java.util.HashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import jakarta.annotation.PreDestroy;
import nl.kansrijkestart.gateway.store.Municipalities;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Quantity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * Evaluates the indicators for whole months: counts from the fact tables (kept per month
 * and municipality in monitoring_cell), per municipality, GGD region and nationally, only
 * persons whose monitoring consent allows it, then disclosure control over all indicators
 * of the year at once. The result holds no identifier and no date finer than a month.
 */
@Service
public class Indicators {

	static final String MUNICIPALITY_SYSTEM = "https://kansrijkestart.nl/fhir/NamingSystem/cbs-gemeentecode";
	static final String REGION_SYSTEM = "https://kansrijkestart.nl/fhir/NamingSystem/cbs-ggd-regiocode";
	static final String EXCLUDED = "https://kansrijkestart.nl/fhir/StructureDefinition/ks-ext-excluded-for-consent";
	static final String DATA_ABSENT = "http://hl7.org/fhir/StructureDefinition/data-absent-reason";

	private static final String POPULATION = "http://terminology.hl7.org/CodeSystem/measure-population";

	private static final String UNKNOWN_REGION = "GG0000";

	private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Indicators.class);

	private final MeasureCatalog catalog;

	private final JdbcTemplate jdbc;

	private final Municipalities municipalities;

	private final int k;

	/**
	 * Each year's controlled table, with the fingerprint of the counts it was made from.
	 */
	private final Map<Integer, ControlledYear> years = new ConcurrentHashMap<>();

	private final Duration staleness;

	private static final Duration RECHECK = Duration.ofSeconds(1);

	private final Set<Integer> refreshing = ConcurrentHashMap.newKeySet();

	private final ExecutorService controller = Executors.newSingleThreadExecutor(r -> {
		Thread t = new Thread(r, "monitoring-control");
		t.setDaemon(true);
		return t;
	});

	Indicators(MeasureCatalog catalog, JdbcTemplate jdbc, Municipalities municipalities,
			MonitoringProperties properties) {
		this.catalog = catalog;
		this.jdbc = jdbc;
		this.municipalities = municipalities;
		this.k = properties.suppressionThreshold();
		this.staleness = properties.controlStaleness();
	}

	/**
	 * One published cell: a null count is suppressed (published as masked, never as
	 * zero).
	 */
	public record Cell(String level, String code, String name, Long numerator, Long denominator) {

		boolean suppressed() {
			return numerator == null || denominator == null;
		}

		String key() {
			return code == null ? NATIONAL : code;
		}
	}

	/**
	 * One indicator's slice after disclosure control, for reports and CSV; medians by
	 * stratum (null: not shown).
	 */
	public record Table(String measureId, ReportingPeriod period, boolean median, int multiplier,
			List<Cell> municipalities, List<Cell> regions, Cell national, Map<String, Double> medians,
			Long excludedForConsent) {

		/**
		 * n/d (times the multiplier), or the median; null when suppressed or undefined.
		 */
		Double score(Cell cell) {
			if (median) {
				return cell.denominator() == null ? null : medians.get(cell.key());
			}
			if (cell.suppressed() || cell.denominator() == 0) {
				return null;
			}
			return BigDecimal.valueOf(cell.numerator() * (double) multiplier / cell.denominator())
				.setScale(4, RoundingMode.HALF_UP)
				.doubleValue();
		}

		/** The country, the regions, the municipalities. */
		List<Cell> cells() {
			List<Cell> all = new ArrayList<>(List.of(national));
			all.addAll(regions);
			all.addAll(municipalities);
			return all;
		}
	}

	/**
	 * A controlled year, the fingerprint of the counts it was made from, and when those
	 * were last found current.
	 */
	private record ControlledYear(String fingerprint, DisclosureControl.Geography geography,
			DisclosureControl.Controlled controlled, Instant checked) {
	}

	private static final String NATIONAL = "";

	public List<String> measureIds() {
		return catalog.ids();
	}

	/**
	 * The indicator for one period. Disclosure control runs over the period's whole year
	 * (every indicator, month, quarter and the year, every municipality, region and the
	 * country), so that no combination of reports undoes a suppression. The controlled
	 * year is kept until its counts change.
	 */
	public Optional<Table> table(String measureId, ReportingPeriod period) {
		return catalog.indicator(measureId)
			.map(indicator -> table(controlled(period.year()), measureId, indicator, period));
	}

	private Table table(ControlledYear year, String measureId, MeasureCatalog.Indicator indicator,
			ReportingPeriod period) {
		int i = catalog.ids().indexOf(measureId);
		int p = period.index();
		DisclosureControl.Geography geo = year.geography();
		List<Cell> cells = new ArrayList<>();
		for (int s = 0; s < geo.strata(); s++) {
			String code = geo.code(s);
			String level = s < geo.municipalities().size() ? "municipality"
					: s == geo.national() ? "national" : "region";
			cells.add(new Cell(level, code, code == null ? "Nederland" : municipalities.name(code),
					year.controlled().value(3 * i + 1, p, s), year.controlled().value(3 * i, p, s)));
		}
		Cell national = cells.get(geo.national());
		// Off the publication grid a level has no cells at all (not masked ones).
		List<Cell> byMunicipality = period.publishesMunicipalities() ? cells.subList(0, geo.municipalities().size())
				: List.of();
		List<Cell> byRegion = period.publishesRegions() ? cells.subList(geo.municipalities().size(), geo.national())
				: List.of();
		Map<String, Double> medians = indicator.median() ? medians(indicator.view(), period, geo) : Map.of();
		// A median is shown only for a published population of k or more.
		Map<String, Double> shown = new HashMap<>();
		for (Cell cell : cells) {
			if (cell.denominator() != null && cell.denominator() >= k && medians.get(cell.key()) != null) {
				shown.put(cell.key(), medians.get(cell.key()));
			}
		}
		return new Table(measureId, period, indicator.median(), indicator.multiplier(), List.copyOf(byMunicipality),
				List.copyOf(byRegion), national, shown, year.controlled().value(3 * i + 2, p, geo.national()));
	}

	/**
	 * The year's controlled table. One found current less than {@code controlStaleness}
	 * ago is served as it is, and checked again (the fingerprint of its counts) and
	 * remade if they changed in the background, at most once a second: readers never wait
	 * for the check nor for control of a national year. An older one is checked, and
	 * remade if need be, before the answer.
	 */
	private ControlledYear controlled(int year) {
		ControlledYear cached = years.get(year);
		Instant now = Instant.now();
		if (cached != null && cached.checked().plus(staleness).isAfter(now)) {
			if (cached.checked().plus(RECHECK).isBefore(now) && refreshing.add(year)) {
				controller.execute(() -> {
					try {
						current(year);
					}
					catch (RuntimeException e) {
						LOG.warn("Disclosure control of {} in the background failed; the next request retries", year,
								e);
					}
					finally {
						refreshing.remove(year);
					}
				});
			}
			return cached;
		}
		return current(year);
	}

	private ControlledYear current(int year) {
		synchronized (years) {
			String fingerprint = fingerprint(year);
			ControlledYear cached = years.get(year);
			ControlledYear checked = cached != null && cached.fingerprint().equals(fingerprint)
					? new ControlledYear(fingerprint, cached.geography(), cached.controlled(), Instant.now())
					: control(year, fingerprint);
			years.put(year, checked);
			return checked;
		}
	}

	private String fingerprint(int year) {
		return jdbc
			.queryForObject("select count(*) || ':' || coalesce(sum(hashtextextended(indicator || month || municipality"
					+ " || ':' || denominator || ':' || numerator || ':' || excluded, 0)), 0) from monitoring_cell where month >= ? and month < ?",
					String.class, Date.valueOf(LocalDate.of(year, 1, 1)), Date.valueOf(LocalDate.of(year + 1, 1, 1)));
	}

	@PreDestroy
	void stop() {
		controller.shutdownNow();
	}

	/**
	 * Reads the year's counts (the fingerprint may be a moment older: the next request
	 * then controls again) and controls them.
	 */
	private ControlledYear control(int year, String fingerprint) {
		Date from = Date.valueOf(LocalDate.of(year, 1, 1));
		Date to = Date.valueOf(LocalDate.of(year + 1, 1, 1));
		List<CellRow> rows = jdbc.query(
				"select indicator, month, municipality, denominator, numerator, excluded from monitoring_cell"
						+ " where month >= ? and month < ?",
				(rs, i) -> new CellRow(rs.getString(1), rs.getDate(2).toLocalDate().getMonthValue() - 1,
						rs.getString(3), rs.getLong(4), rs.getLong(5), rs.getLong(6)),
				from, to);
		DisclosureControl.Year table = year(rows, catalog, this::regionOf);
		DisclosureControl.Geography geo = table.geography();
		long started = System.nanoTime();
		DisclosureControl.Controlled controlled = DisclosureControl.apply(table, k);
		DisclosureControl.Outcome o = controlled.outcome();
		LOG.info(
				"Disclosure control of {} ({} municipalities, {} regions): {} ms; suppressed {} small, {} by the quick pass, {} by the audit"
						+ " ({} linear programs), published down to {}",
				year, geo.municipalities().size(), geo.regions().size(), (System.nanoTime() - started) / 1_000_000,
				o.primary(), o.complementary(), o.audited(), o.programs(), o.level());
		return new ControlledYear(fingerprint, geo, controlled, Instant.now());
	}

	/**
	 * One row of monitoring_cell: an indicator's counts in a month (0–11) and
	 * municipality.
	 */
	record CellRow(String indicator, int month, String municipality, long denominator, long numerator, long excluded) {
	}

	/**
	 * The table disclosure control works on: per indicator i of the catalog, count 3i is
	 * its denominator, 3i+1 its numerator (within it), 3i+2 the units left out for
	 * consent (national only).
	 */
	static DisclosureControl.Year year(List<CellRow> rows, MeasureCatalog catalog, Function<String, String> regionOf) {
		List<String> strata = rows.stream().map(CellRow::municipality).distinct().sorted().toList();
		List<String> regions = strata.stream().map(regionOf).distinct().sorted().toList();
		int[] regionIndex = strata.stream().mapToInt(s -> regions.indexOf(regionOf.apply(s))).toArray();
		DisclosureControl.Geography geo = new DisclosureControl.Geography(strata, regions, regionIndex);
		List<String> ids = catalog.ids();
		Map<String, Integer> byView = new HashMap<>();
		List<DisclosureControl.Count> counts = new ArrayList<>();
		for (int i = 0; i < ids.size(); i++) {
			byView.put(catalog.indicator(ids.get(i)).orElseThrow().view(), i);
			counts.add(new DisclosureControl.Count(ids.get(i) + "/denominator", true, -1, new long[12][strata.size()]));
			counts
				.add(new DisclosureControl.Count(ids.get(i) + "/numerator", true, 3 * i, new long[12][strata.size()]));
			counts.add(new DisclosureControl.Count(ids.get(i) + "/excluded", false, -1, new long[12][1]));
		}
		Map<String, Integer> stratumOf = new HashMap<>();
		for (int s = 0; s < strata.size(); s++) {
			stratumOf.put(strata.get(s), s);
		}
		for (CellRow r : rows) {
			Integer i = byView.get(r.indicator());
			if (i == null) {
				continue;
			}
			int s = stratumOf.get(r.municipality());
			counts.get(3 * i).months()[r.month()][s] += r.denominator();
			counts.get(3 * i + 1).months()[r.month()][s] += r.numerator();
			counts.get(3 * i + 2).months()[r.month()][0] += r.excluded();
		}
		List<DisclosureControl.Relation> relations = new ArrayList<>();
		for (MeasureCatalog.SeriesRelation r : catalog.relations()) {
			relations.add(relation(r, ids, false));
			if (r.ofDenominators()) {
				relations.add(relation(r, ids, true));
			}
		}
		return new DisclosureControl.Year(geo, counts, relations);
	}

	/**
	 * A relation of relations.csv between counts (of the units left out for consent,
	 * {@code excluded}, for denominators).
	 */
	private static DisclosureControl.Relation relation(MeasureCatalog.SeriesRelation r, List<String> ids,
			boolean excluded) {
		List<MeasureCatalog.Term> terms = new ArrayList<>(List.of(r.left()));
		terms.addAll(r.right());
		int[] counts = new int[terms.size()];
		int[] coefficients = new int[terms.size()];
		for (int j = 0; j < terms.size(); j++) {
			MeasureCatalog.Term term = terms.get(j);
			counts[j] = 3 * ids.indexOf(term.measureId()) + (excluded ? 2 : term.numerator() ? 1 : 0);
			coefficients[j] = j == 0 ? 1 : -1;
		}
		return new DisclosureControl.Relation(counts, coefficients, r.equality());
	}

	private String regionOf(String municipality) {
		String region = municipalities.region(municipalities.current(municipality));
		return region == null ? UNKNOWN_REGION : region;
	}

	/**
	 * Medians per municipality, region and the country, of the permitted units with a
	 * value.
	 */
	private Map<String, Double> medians(String view, ReportingPeriod period, DisclosureControl.Geography geo) {
		// A histogram per municipality (a hash aggregate, no sort of the year's facts),
		// merged here for the regions and
		// the country.
		Map<String, java.util.TreeMap<Double, Long>> histograms = new HashMap<>();
		Map<String, Integer> stratumOf = new HashMap<>();
		for (int s = 0; s < geo.municipalities().size(); s++) {
			stratumOf.put(geo.municipalities().get(s), s);
		}
		jdbc.query("select municipality, value, count(*) from " + view
				+ " where month >= ? and month < ? and denominator and permitted"
				+ " and value is not null and municipality is not null group by municipality, value", rs -> {
					String municipality = rs.getString(1);
					Integer s = stratumOf.get(municipality);
					if (s == null) {
						return;
					}
					for (String key : List.of(municipality, geo.regions().get(geo.regionOf()[s]), NATIONAL)) {
						histograms.computeIfAbsent(key, x -> new java.util.TreeMap<>())
							.merge(rs.getDouble(2), rs.getLong(3), Long::sum);
					}
				}, Date.valueOf(period.from().atDay(1)), Date.valueOf(period.to().plusMonths(1).atDay(1)));
		Map<String, Double> medians = new HashMap<>();
		histograms.forEach((key, histogram) -> medians.put(key, median(histogram)));
		return medians;
	}

	/**
	 * As PostgreSQL's percentile_cont(0.5): the middle value, or halfway between the two
	 * middle ones.
	 */
	static double median(java.util.SortedMap<Double, Long> histogram) {
		long n = histogram.values().stream().mapToLong(Long::longValue).sum();
		long lower = (n - 1) / 2;
		long upper = n / 2;
		Double low = null;
		long seen = 0;
		for (Map.Entry<Double, Long> e : histogram.entrySet()) {
			seen += e.getValue();
			if (low == null && seen > lower) {
				low = e.getKey();
			}
			if (seen > upper) {
				return (low + e.getKey()) / 2;
			}
		}
		throw new IllegalArgumentException("an empty histogram has no median");
	}

	/**
	 * @param stratum null for every stratum; a municipality (GMnnnn) for it and its
	 * region; a region (GGnnnn) for it and its municipalities. The national figures are
	 * always there. Disclosure control is applied to the whole table first, so asking for
	 * one stratum reveals nothing more.
	 */
	public Optional<MeasureReport> report(String measureId, ReportingPeriod period, String stratum) {
		YearMonth from = period.from();
		YearMonth to = period.to();
		return table(measureId, period).map(t -> {
			var measure = catalog.measure(measureId).orElseThrow();
			MeasureReport r = new MeasureReport();
			r.setStatus(MeasureReport.MeasureReportStatus.COMPLETE);
			r.setType(MeasureReport.MeasureReportType.SUMMARY);
			r.setMeasure(measure.getUrl() + "|" + measure.getVersion());
			r.setPeriod(new Period().setStartElement(new DateTimeType(from.toString()))
				.setEndElement(new DateTimeType(to.toString())));
			r.setImprovementNotation(measure.getImprovementNotation());
			MeasureReport.MeasureReportGroupComponent group = r.addGroup();
			group.addExtension(new Extension(EXCLUDED, count(t.excludedForConsent())));
			populations(t, t.national(), group.getPopulation()::add);
			group.setMeasureScore(score(t, t.national()));
			String region = stratum == null ? null : stratum.startsWith("GG") ? stratum : regionOf(stratum);
			stratifier(group, "municipality", MUNICIPALITY_SYSTEM, t,
					t.municipalities()
						.stream()
						.filter(c -> stratum == null || c.code().equals(stratum)
								|| stratum.startsWith("GG") && regionOf(c.code()).equals(stratum))
						.toList());
			stratifier(group, "region", REGION_SYSTEM, t,
					t.regions().stream().filter(c -> region == null || c.code().equals(region)).toList());
			return r;
		});
	}

	private void stratifier(MeasureReport.MeasureReportGroupComponent group, String level, String system, Table t,
			List<Cell> cells) {
		MeasureReport.MeasureReportGroupStratifierComponent stratifier = group.addStratifier();
		stratifier.addCode().setText(level);
		for (Cell cell : cells) {
			MeasureReport.StratifierGroupComponent stratum = stratifier.addStratum()
				.setValue(new CodeableConcept(new Coding(system, cell.code(), cell.name())));
			populations(t, cell,
					p -> stratum.addPopulation().setCode(p.getCode()).setCountElement(p.getCountElement()));
			stratum.setMeasureScore(score(t, cell));
		}
	}

	private static void populations(Table t, Cell cell,
			Consumer<MeasureReport.MeasureReportGroupPopulationComponent> out) {
		if (t.median()) {
			out.accept(population("measure-population", cell.denominator()));
		}
		else {
			out.accept(population("denominator", cell.denominator()));
			out.accept(population("numerator", cell.numerator()));
		}
	}

	private static MeasureReport.MeasureReportGroupPopulationComponent population(String code, Long count) {
		return new MeasureReport.MeasureReportGroupPopulationComponent()
			.setCode(new CodeableConcept(new Coding(POPULATION, code, null)))
			.setCountElement(count(count));
	}

	/** A suppressed count is masked, never zero. */
	private static IntegerType count(Long count) {
		if (count != null) {
			return new IntegerType(count.intValue());
		}
		IntegerType masked = new IntegerType();
		masked.addExtension(new Extension(DATA_ABSENT, new CodeType("masked")));
		return masked;
	}

	private static Quantity score(Table t, Cell cell) {
		Double score = t.score(cell);
		Quantity q = new Quantity();
		if (score == null) {
			q.addExtension(new Extension(DATA_ABSENT, new CodeType(cell.suppressed() ? "masked" : "not-applicable")));
			return q;
		}
		q.setValue(score);
		if (t.median()) {
			q.setUnit("d").setSystem("http://unitsofmeasure.org").setCode("d");
		}
		else if (t.multiplier() == 1000) {
			q.setUnit("per 1000");
		}
		return q;
	}

	static final String CSV_HEADER = "measure,period_start,period_end,level,code,name,numerator,denominator,score";

	/**
	 * The table as CSV: the country, each region and each municipality, with the national
	 * figures beside each; suppressed cells say so.
	 */
	public Optional<String> csv(String measureId, ReportingPeriod period) {
		return table(measureId, period).map(t -> {
			StringBuilder out = new StringBuilder(
					CSV_HEADER + ",national_numerator,national_denominator,national_score\n");
			String national = String.join(",", text(t.national().numerator()), text(t.national().denominator()),
					text(t.score(t.national()), t.national().suppressed()));
			for (Cell cell : t.cells()) {
				out.append(row(t, cell)).append(',').append(national).append('\n');
			}
			return out.toString();
		});
	}

	/**
	 * A whole year as CSV: every indicator, every month, quarter and the year, every
	 * stratum (one download per year).
	 */
	public String yearCsv(int year) {
		StringBuilder out = new StringBuilder(CSV_HEADER + "\n");
		ControlledYear controlled = controlled(year);
		for (String id : catalog.ids()) {
			for (int p = 0; p < DisclosureControl.PERIODS; p++) {
				Table t = table(controlled, id, catalog.indicator(id).orElseThrow(), ReportingPeriod.of(year, p));
				for (Cell cell : t.cells()) {
					out.append(row(t, cell)).append('\n');
				}
			}
		}
		return out.toString();
	}

	/**
	 * One year's figure of a stratum (null code: the country) beside the national one.
	 */
	public record TrendPoint(int year, Long numerator, Long denominator, Double score, Double nationalScore) {
	}

	/**
	 * The indicator's year figures for a municipality, a region or the country, over the
	 * years with data; empty for an unknown one.
	 */
	public Optional<List<TrendPoint>> trend(String measureId, String code) {
		if (catalog.indicator(measureId).isEmpty() || code != null && municipalities.name(code) == null) {
			return Optional.empty();
		}
		List<Integer> present = jdbc.queryForList(
				"select distinct extract(year from month)::int from monitoring_cell order by 1", Integer.class);
		List<TrendPoint> points = new ArrayList<>();
		for (int year : present) {
			Table t = table(measureId, ReportingPeriod.of(year, DisclosureControl.YEAR)).orElseThrow();
			Cell cell = t.cells()
				.stream()
				.filter(c -> Objects.equals(c.code(), code))
				.findFirst()
				.orElse(new Cell(null, code, null, 0L, 0L));
			points
				.add(new TrendPoint(year, cell.numerator(), cell.denominator(), t.score(cell), t.score(t.national())));
		}
		return Optional.of(points);
	}

	/** A cell's CSV fields, as in {@link #CSV_HEADER}. */
	private static String row(Table t, Cell cell) {
		return String.join(",", t.measureId(), t.period().from().toString(), t.period().to().toString(), cell.level(),
				cell.code() == null ? "NL" : cell.code(), field(cell.name()), text(cell.numerator()),
				text(cell.denominator()), text(t.score(cell), cell.suppressed()));
	}

	private static String field(String text) {
		if (text == null) {
			return "";
		}
		return text.contains(",") || text.contains("\"") ? '"' + text.replace("\"", "\"\"") + '"' : text;
	}

	private static String text(Long count) {
		return count == null ? "suppressed" : count.toString();
	}

	private static String text(Double score, boolean suppressed) {
		return score == null ? (suppressed ? "suppressed" : "") : score.toString();
	}

}
