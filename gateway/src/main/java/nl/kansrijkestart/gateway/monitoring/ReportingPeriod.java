package nl.kansrijkestart.gateway.monitoring;

import java.time.YearMonth;
import java.time.format.DateTimeParseException;

/**
 * A reporting period: a calendar month, a calendar quarter or a calendar year. Monitoring
 * output never holds a date finer than a month, and periods come from this fixed grid so
 * that disclosure control can cover every combination of reports (overlapping free
 * periods would give away their differences).
 */
public record ReportingPeriod(YearMonth from, YearMonth to) {

	/**
	 * From {@code periodStart} and {@code periodEnd} as {@code YYYY-MM} or
	 * {@code YYYY-MM-DD} (the month containing the day).
	 * @throws IllegalArgumentException with a message for the client when either is
	 * missing or malformed, or end precedes start
	 */
	public static ReportingPeriod parse(String periodStart, String periodEnd) {
		YearMonth from = month("periodStart", periodStart);
		YearMonth to = month("periodEnd", periodEnd);
		if (to.isBefore(from)) {
			throw new IllegalArgumentException("periodEnd " + to + " is before periodStart " + from);
		}
		boolean month = from.equals(to);
		boolean quarter = from.getYear() == to.getYear() && (from.getMonthValue() - 1) % 3 == 0
				&& to.equals(from.plusMonths(2));
		boolean year = from.getMonthValue() == 1 && to.getMonthValue() == 12 && from.getYear() == to.getYear();
		if (!month && !quarter && !year) {
			throw new IllegalArgumentException(
					"a period is a calendar month, quarter or year (e.g. 2024-04 to 2024-06); got " + from + " to "
							+ to);
		}
		return new ReportingPeriod(from, to);
	}

	/** The period at {@code index} of a year's table (see {@link #index()}). */
	static ReportingPeriod of(int year, int index) {
		if (index < 12) {
			YearMonth m = YearMonth.of(year, index + 1);
			return new ReportingPeriod(m, m);
		}
		if (index < DisclosureControl.YEAR) {
			YearMonth m = YearMonth.of(year, 3 * (index - 12) + 1);
			return new ReportingPeriod(m, m.plusMonths(2));
		}
		return new ReportingPeriod(YearMonth.of(year, 1), YearMonth.of(year, 12));
	}

	/**
	 * Whether municipalities are published for this period: per calendar year only
	 * (disclosure control).
	 */
	public boolean publishesMunicipalities() {
		return DisclosureControl.publishesMunicipalities(index());
	}

	/** Whether GGD regions are published for this period: per quarter and year. */
	public boolean publishesRegions() {
		return DisclosureControl.publishesRegions(index());
	}

	public int year() {
		return from.getYear();
	}

	/** Its place in the year's table: 0–11 a month, 12–15 a quarter, 16 the year. */
	int index() {
		if (from.equals(to)) {
			return from.getMonthValue() - 1;
		}
		return to.getMonthValue() - from.getMonthValue() == 2 ? 12 + (from.getMonthValue() - 1) / 3
				: DisclosureControl.YEAR;
	}

	private static YearMonth month(String name, String value) {
		if (value == null || !value.matches("[0-9]{4}-[0-9]{2}(-[0-9]{2})?")) {
			throw new IllegalArgumentException(name + " is required as YYYY-MM (or YYYY-MM-DD)");
		}
		try {
			if (value.length() == 10) {
				java.time.LocalDate.parse(value);
			}
			return YearMonth.parse(value.substring(0, 7));
		}
		catch (DateTimeParseException e) {
			throw new IllegalArgumentException(name + " '" + value + "' is not a date");
		}
	}
}
