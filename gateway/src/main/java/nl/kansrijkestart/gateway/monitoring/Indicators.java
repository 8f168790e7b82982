package nl.kansrijkestart.gateway.monitoring;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Date;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
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

	/** One indicator's table after disclosure control, for reports and CSV. */
	public record Table(String measureId, YearMonth from, YearMonth to, boolean median, int multiplier,
			List<DisclosureControl.Published> strata, DisclosureControl.Published national, Long excludedForConsent) {

		/** n/d (times the multiplier), or the median; null when suppressed or undefined. */
		Double score(DisclosureControl.Published cell) {
			if (median) {
				return cell.median();
			}
			if (cell.suppressed() || cell.denominator() == 0) {
				return null;
			}
			return BigDecimal.valueOf(cell.numerator() * (double) multiplier / cell.denominator()).setScale(4, RoundingMode.HALF_UP)
					.doubleValue();
		}
	}

	public List<String> measureIds() {
		return catalog.ids();
	}

	public Optional<Table> table(String measureId, YearMonth from, YearMonth to) {
		return catalog.indicator(measureId).map(indicator -> {
			List<DisclosureControl.Cell> strata = new ArrayList<>();
			DisclosureControl.Cell[] national = new DisclosureControl.Cell[1];
			long[] excluded = new long[1];
			// Proportions sum the per-month cells; a median needs the facts themselves.
			String sql = indicator.median()
					? "select municipality, grouping(municipality) = 1, count(*) filter (where denominator and permitted),"
							+ " count(*) filter (where denominator and numerator and permitted), count(*) filter (where denominator and not permitted),"
							+ " percentile_cont(0.5) within group (order by value) filter (where denominator and permitted and value is not null)"
							+ " from " + indicator.view() + " where month >= ? and month < ? group by grouping sets ((municipality), ())"
					: "select municipality, grouping(municipality) = 1, coalesce(sum(denominator), 0), coalesce(sum(numerator), 0),"
							+ " coalesce(sum(excluded), 0), null from monitoring_cell where indicator = '" + indicator.view() + "'"
							+ " and month >= ? and month < ? group by grouping sets ((municipality), ())";
			jdbc.query(sql, rs -> {
				Double median = rs.getObject(6) == null ? null : rs.getDouble(6);
				DisclosureControl.Cell cell = new DisclosureControl.Cell(rs.getString(1), rs.getLong(4), rs.getLong(3), median);
				if (rs.getBoolean(2)) {
					national[0] = cell;
					excluded[0] = rs.getLong(5);
				} else if (cell.stratum() != null) {
					strata.add(cell);
				}
			}, Date.valueOf(from.atDay(1)), Date.valueOf(to.plusMonths(1).atDay(1)));
			strata.sort(java.util.Comparator.comparing(DisclosureControl.Cell::stratum));
			DisclosureControl.Cell total = national[0] == null ? new DisclosureControl.Cell(null, 0, 0, null) : national[0];
			DisclosureControl.Result controlled = DisclosureControl.apply(strata, total, k);
			Long excludedCount = excluded[0] >= 1 && excluded[0] < k ? null : excluded[0];
			return new Table(measureId, from, to, indicator.median(), indicator.multiplier(), controlled.strata(), controlled.total(),
					excludedCount);
		});
	}

	/**
	 * @param municipality only this municipality's stratum (the national figures stay), or null for all. Disclosure
	 *                     control is applied to the whole table first, so asking per municipality reveals nothing more.
	 */
	public Optional<MeasureReport> report(String measureId, YearMonth from, YearMonth to, String municipality) {
		return table(measureId, from, to).map(t -> {
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
	public Optional<String> csv(String measureId, YearMonth from, YearMonth to) {
		return table(measureId, from, to).map(t -> {
			StringBuilder out = new StringBuilder("measure,period_start,period_end,municipality,numerator,denominator,score,"
					+ "national_numerator,national_denominator,national_score\n");
			for (DisclosureControl.Published cell : t.strata()) {
				out.append(String.join(",", measureId, from.toString(), to.toString(), cell.stratum(), text(cell.numerator()),
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
