package nl.kansrijkestart.gateway.monitoring;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Date;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * Evaluates an indicator for whole months: counts from the fact tables (through the indicator's view), per
 * municipality and nationally, only persons whose monitoring consent allows it, then disclosure control. The result
 * holds no identifier and no date finer than a month.
 */
@Service
public class Indicators {

	static final String MUNICIPALITY_SYSTEM = "https://kansrijkestart.nl/fhir/NamingSystem/cbs-gemeentecode";
	static final String EXCLUDED = "https://kansrijkestart.nl/fhir/StructureDefinition/ks-ext-excluded-for-consent";
	static final String DATA_ABSENT = "http://hl7.org/fhir/StructureDefinition/data-absent-reason";
	private static final String POPULATION = "http://terminology.hl7.org/CodeSystem/measure-population";

	private final MeasureCatalog catalog;
	private final JdbcTemplate jdbc;
	private final int k;

	Indicators(MeasureCatalog catalog, JdbcTemplate jdbc, MonitoringProperties properties) {
		this.catalog = catalog;
		this.jdbc = jdbc;
		this.k = properties.suppressionThreshold();
	}

	/** One indicator's slice after disclosure control, for reports and CSV; medians by stratum (null: not shown). */
	public record Table(String measureId, ReportingPeriod period, boolean median, int multiplier,
			List<DisclosureControl.Published> strata, DisclosureControl.Published national, Map<String, Double> medians,
			Long excludedForConsent) {

		/** n/d (times the multiplier), or the median; null when suppressed or undefined. */
		Double score(DisclosureControl.Published cell) {
			if (median) {
				return cell.denominator() == null ? null : medians.get(cell.stratum() == null ? NATIONAL : cell.stratum());
			}
			if (cell.suppressed() || cell.denominator() == 0) {
				return null;
			}
			return BigDecimal.valueOf(cell.numerator() * (double) multiplier / cell.denominator()).setScale(4, RoundingMode.HALF_UP)
					.doubleValue();
		}
	}

	private static final String NATIONAL = "";

	public List<String> measureIds() {
		return catalog.ids();
	}

	/**
	 * The indicator for one period. Disclosure control runs over the period's whole year (every month, quarter and the
	 * year, every municipality and the country), so that no combination of reports undoes a suppression.
	 */
	public Optional<Table> table(String measureId, ReportingPeriod period) {
		return catalog.indicator(measureId).map(indicator -> {
			Date yearStart = Date.valueOf(java.time.LocalDate.of(period.year(), 1, 1));
			Date yearEnd = Date.valueOf(java.time.LocalDate.of(period.year() + 1, 1, 1));
			// Proportions read the per-month cells; a median's counts and values come from the facts.
			String sql = indicator.median()
					? "select month, municipality, count(*) filter (where denominator and permitted), count(*) filter (where denominator"
							+ " and numerator and permitted), count(*) filter (where denominator and not permitted) from " + indicator.view()
							+ " where month >= ? and month < ? and municipality is not null group by month, municipality"
					: "select month, municipality, denominator, numerator, excluded from monitoring_cell where indicator = '"
							+ indicator.view() + "' and month >= ? and month < ?";
			record Row(int month, String municipality, long d, long n, long e) {
			}
			List<Row> rows = jdbc.query(sql, (rs, i) -> new Row(rs.getDate(1).toLocalDate().getMonthValue() - 1, rs.getString(2), rs.getLong(3),
					rs.getLong(4), rs.getLong(5)), yearStart, yearEnd);
			List<String> strata = rows.stream().map(Row::municipality).distinct().sorted().toList();
			long[][] n = new long[12][strata.size()];
			long[][] d = new long[12][strata.size()];
			long[] excluded = new long[12];
			for (Row r : rows) {
				int s = strata.indexOf(r.municipality());
				n[r.month()][s] += r.n();
				d[r.month()][s] += r.d();
				excluded[r.month()] += r.e();
			}
			DisclosureControl.Slice slice = DisclosureControl.apply(new DisclosureControl.Year(strata, n, d), k).slice(period.index());
			Long excludedCount = DisclosureControl.applyNational(excluded, k)[period.index()];
			Map<String, Double> medians = indicator.median() ? medians(indicator.view(), period) : Map.of();
			// A median is shown only for a population of k or more.
			Map<String, Double> shown = new java.util.HashMap<>();
			for (DisclosureControl.Published cell : concat(slice)) {
				String key = cell.stratum() == null ? NATIONAL : cell.stratum();
				if (cell.denominator() != null && cell.denominator() >= k && medians.get(key) != null) {
					shown.put(key, medians.get(key));
				}
			}
			return new Table(measureId, period, indicator.median(), indicator.multiplier(), slice.strata(), slice.national(), shown,
					excludedCount);
		});
	}

	private static List<DisclosureControl.Published> concat(DisclosureControl.Slice slice) {
		List<DisclosureControl.Published> all = new ArrayList<>(slice.strata());
		all.add(slice.national());
		return all;
	}

	private Map<String, Double> medians(String view, ReportingPeriod period) {
		Map<String, Double> medians = new java.util.HashMap<>();
		jdbc.query("select municipality, grouping(municipality) = 1, percentile_cont(0.5) within group (order by value)"
				+ " filter (where denominator and permitted and value is not null) from " + view + " where month >= ? and month < ?"
				+ " group by grouping sets ((municipality), ())", rs -> {
					if (rs.getObject(3) != null) {
						medians.put(rs.getBoolean(2) ? NATIONAL : rs.getString(1), rs.getDouble(3));
					}
				}, Date.valueOf(period.from().atDay(1)), Date.valueOf(period.to().plusMonths(1).atDay(1)));
		return medians;
	}

	/**
	 * @param municipality only this municipality's stratum (the national figures stay), or null for all. Disclosure
	 *                     control is applied to the whole table first, so asking per municipality reveals nothing more.
	 */
	public Optional<MeasureReport> report(String measureId, ReportingPeriod period, String municipality) {
		YearMonth from = period.from();
		YearMonth to = period.to();
		return table(measureId, period).map(t -> {
			var measure = catalog.measure(measureId).orElseThrow();
			MeasureReport r = new MeasureReport();
			r.setStatus(MeasureReport.MeasureReportStatus.COMPLETE);
			r.setType(MeasureReport.MeasureReportType.SUMMARY);
			r.setMeasure(measure.getUrl() + "|" + measure.getVersion());
			r.setPeriod(new Period().setStartElement(new DateTimeType(from.toString())).setEndElement(new DateTimeType(to.toString())));
			r.setImprovementNotation(measure.getImprovementNotation());
			MeasureReport.MeasureReportGroupComponent group = r.addGroup();
			group.addExtension(new Extension(EXCLUDED, count(t.excludedForConsent())));
			populations(t, t.national(), group.getPopulation()::add);
			group.setMeasureScore(score(t, t.national()));
			MeasureReport.MeasureReportGroupStratifierComponent stratifier = group.addStratifier();
			stratifier.addCode().setText("municipality");
			for (DisclosureControl.Published cell : t.strata()) {
				if (municipality != null && !municipality.equals(cell.stratum())) {
					continue;
				}
				MeasureReport.StratifierGroupComponent stratum = stratifier.addStratum()
						.setValue(new CodeableConcept(new Coding(MUNICIPALITY_SYSTEM, cell.stratum(), null)));
				for (var p : populationsOf(t, cell)) {
					stratum.addPopulation().setCode(p.getCode()).setCountElement(p.getCountElement());
				}
				stratum.setMeasureScore(score(t, cell));
			}
			return r;
		});
	}

	private List<MeasureReport.MeasureReportGroupPopulationComponent> populationsOf(Table t, DisclosureControl.Published cell) {
		List<MeasureReport.MeasureReportGroupPopulationComponent> list = new ArrayList<>();
		populations(t, cell, list::add);
		return list;
	}

	private static void populations(Table t, DisclosureControl.Published cell,
			java.util.function.Consumer<MeasureReport.MeasureReportGroupPopulationComponent> out) {
		if (t.median()) {
			out.accept(population("measure-population", cell.denominator()));
		} else {
			out.accept(population("denominator", cell.denominator()));
			out.accept(population("numerator", cell.numerator()));
		}
	}

	private static MeasureReport.MeasureReportGroupPopulationComponent population(String code, Long count) {
		return new MeasureReport.MeasureReportGroupPopulationComponent()
				.setCode(new CodeableConcept(new Coding(POPULATION, code, null))).setCountElement(count(count));
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

	private static Quantity score(Table t, DisclosureControl.Published cell) {
		Double score = t.score(cell);
		Quantity q = new Quantity();
		if (score == null) {
			q.addExtension(new Extension(DATA_ABSENT, new CodeType(cell.suppressed() ? "masked" : "not-applicable")));
			return q;
		}
		q.setValue(score);
		if (t.median()) {
			q.setUnit("d").setSystem("http://unitsofmeasure.org").setCode("d");
		} else if (t.multiplier() == 1000) {
			q.setUnit("per 1000");
		}
		return q;
	}

	/** The table as CSV: one row per municipality with the national figures beside it; suppressed cells say so. */
	public Optional<String> csv(String measureId, ReportingPeriod period) {
		String from = period.from().toString();
		String to = period.to().toString();
		return table(measureId, period).map(t -> {
			StringBuilder out = new StringBuilder("measure,period_start,period_end,municipality,numerator,denominator,score,"
					+ "national_numerator,national_denominator,national_score\n");
			for (DisclosureControl.Published cell : t.strata()) {
				out.append(String.join(",", measureId, from, to, cell.stratum(), text(cell.numerator()),
						text(cell.denominator()), text(t.score(cell), cell.suppressed()), text(t.national().numerator()),
						text(t.national().denominator()), text(t.score(t.national()), t.national().suppressed()))).append('\n');
			}
			return out.toString();
		});
	}

	private static String text(Long count) {
		return count == null ? "suppressed" : count.toString();
	}

	private static String text(Double score, boolean suppressed) {
		return score == null ? (suppressed ? "suppressed" : "") : score.toString();
	}
}
