package nl.kansrijkestart.gateway.monitoring;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Statistical disclosure control of one indicator table (strata plus the national total), as one pure function
 * (docs/indicators.md). Primary: a count from 1 to k−1 is suppressed, a numerator also when the denominator minus the
 * numerator is (nearly everyone in the cell has the attribute), a numerator with its denominator. Complementary: a
 * column (numerators, denominators) with exactly one suppressed stratum under a published total gets a second
 * suppression, the smallest other cell, so that no cell is the total minus the others. Repeated until nothing changes.
 */
final class DisclosureControl {

	/** Counts before control; {@code median} only for continuous-variable indicators. */
	record Cell(String stratum, long numerator, long denominator, Double median) {
	}

	/** After control: null means suppressed (published as masked, never as zero). */
	record Published(String stratum, Long numerator, Long denominator, Double median) {
		boolean suppressed() {
			return numerator == null || denominator == null;
		}
	}

	record Result(List<Published> strata, Published total) {
	}

	private DisclosureControl() {
	}

	static Result apply(List<Cell> strata, Cell total, int k) {
		int n = strata.size();
		boolean[] hideN = new boolean[n];
		boolean[] hideD = new boolean[n];
		for (int i = 0; i < n; i++) {
			Cell c = strata.get(i);
			hideD[i] = small(c.denominator(), k);
			hideN[i] = hideD[i] || small(c.numerator(), k) || small(c.denominator() - c.numerator(), k);
		}
		boolean totalD = small(total.denominator(), k);
		boolean totalN = totalD || small(total.numerator(), k) || small(total.denominator() - total.numerator(), k);
		boolean changed = true;
		while (changed) {
			changed = false;
			if (!totalN) {
				changed |= complement(strata, hideN, Cell::numerator, k);
			}
			if (!totalD) {
				changed |= complement(strata, hideD, Cell::denominator, k);
			}
			for (int i = 0; i < n; i++) {
				if (hideD[i] && !hideN[i]) {
					hideN[i] = true;
					changed = true;
				}
			}
		}
		List<Published> published = new ArrayList<>();
		for (int i = 0; i < n; i++) {
			published.add(publish(strata.get(i), hideN[i], hideD[i], k));
		}
		return new Result(published, publish(total, totalN, totalD, k));
	}

	private static Published publish(Cell c, boolean hideN, boolean hideD, int k) {
		Double median = c.median() == null || hideD || c.denominator() < k ? null : c.median();
		return new Published(c.stratum(), hideN ? null : c.numerator(), hideD ? null : c.denominator(), median);
	}

	/**
	 * Under a published total, the suppressed cells of a column add up to what the total minus the published cells
	 * gives away: one suppressed cell would be recovered exactly, several adding up to less than k would all be known to
	 * be small. So add the smallest other non-zero cell until at least two are suppressed and they add up to k or more.
	 */
	private static boolean complement(List<Cell> strata, boolean[] hidden, java.util.function.ToLongFunction<Cell> column, int k) {
		int suppressed = 0;
		long sum = 0;
		for (int i = 0; i < strata.size(); i++) {
			if (hidden[i]) {
				suppressed++;
				sum += column.applyAsLong(strata.get(i));
			}
		}
		if (suppressed == 0 || (suppressed >= 2 && sum >= k)) {
			return false;
		}
		int pick = -1;
		Comparator<Integer> preferred = Comparator.<Integer, Boolean>comparing(i -> column.applyAsLong(strata.get(i)) == 0)
				.thenComparingLong(i -> column.applyAsLong(strata.get(i))).thenComparing(i -> strata.get(i).stratum());
		for (int i = 0; i < strata.size(); i++) {
			if (!hidden[i] && (pick < 0 || preferred.compare(i, pick) < 0)) {
				pick = i;
			}
		}
		if (pick < 0) {
			return false;
		}
		hidden[pick] = true;
		return true;
	}

	private static boolean small(long count, int k) {
		return count >= 1 && count < k;
	}
}
