package nl.kansrijkestart.gateway.monitoring;

import java.time.YearMonth;
import java.time.format.DateTimeParseException;

/** A reporting period in whole months: monitoring output never holds a date finer than that. */
public record ReportingPeriod(YearMonth from, YearMonth to) {

	/**
	 * From {@code periodStart} and {@code periodEnd} as {@code YYYY-MM} or {@code YYYY-MM-DD} (the month containing the day).
	 *
	 * @throws IllegalArgumentException with a message for the client when either is missing or malformed, or end precedes start
	 */
	public static ReportingPeriod parse(String periodStart, String periodEnd) {
		YearMonth from = month("periodStart", periodStart);
		YearMonth to = month("periodEnd", periodEnd);
		if (to.isBefore(from)) {
			throw new IllegalArgumentException("periodEnd " + to + " is before periodStart " + from);
		}
		if (from.plusYears(10).isBefore(to)) {
			throw new IllegalArgumentException("a period covers at most 10 years");
		}
		return new ReportingPeriod(from, to);
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
		} catch (DateTimeParseException e) {
			throw new IllegalArgumentException(name + " '" + value + "' is not a date");
		}
	}
}
