package nl.kansrijkestart.gateway.monitoring;

import java.util.ArrayList;
import java.util.List;

/**
 * Statistical disclosure control of one indicator over one calendar year (docs/indicators.md). Reports cover a month,
 * a quarter or the year, per municipality and nationally; all of those are cells of one table per year: 17 periods
 * (12 months, 4 quarters, the year) by the municipalities plus the national row. Any report is a slice of it, so
 * suppression decided on the whole table holds whatever slices someone combines.
 *
 * <p>Primary: a count from 1 to k−1 is suppressed; a numerator also when the denominator minus the numerator is (nearly
 * everyone in the cell has the attribute), and with its denominator. Complementary: the table's additive relations
 * (national = sum of municipalities; year = sum of months = sum of quarters; quarter = sum of its months) must never have
 * exactly one suppressed term, which would follow from the others, and the suppressed parts of a relation with a
 * published total must add up to k or more. The smallest other non-zero part is suppressed until that holds, repeated
 * until nothing changes.
 */
final class DisclosureControl {

	static final int PERIODS = 17;
	static final int YEAR = 16;

	/** Counts before control, per month (0–11) and stratum. */
	record Year(List<String> strata, long[][] numerators, long[][] denominators) {
	}

	/** One published cell: null means suppressed (published as masked, never as zero). */
	record Published(String stratum, Long numerator, Long denominator) {
		boolean suppressed() {
			return numerator == null || denominator == null;
		}
	}

	/** A period's slice after control: its strata and the national cell. */
	record Slice(List<Published> strata, Published national) {
	}

	/** The whole year after control. */
	static final class Controlled {
		private final List<String> strata;
		private final long[] n;
		private final long[] d;
		private final boolean[] hideN;
		private final boolean[] hideD;

		private Controlled(List<String> strata, long[] n, long[] d, boolean[] hideN, boolean[] hideD) {
			this.strata = strata;
			this.n = n;
			this.d = d;
			this.hideN = hideN;
			this.hideD = hideD;
		}

		/** @param period 0–11 a month, 12–15 a quarter, 16 the year */
		Slice slice(int period) {
			int g = strata.size();
			List<Published> cells = new ArrayList<>();
			for (int s = 0; s < g; s++) {
				cells.add(published(strata.get(s), index(period, s, g)));
			}
			return new Slice(cells, published(null, index(period, g, g)));
		}

		private Published published(String stratum, int i) {
			return new Published(stratum, hideN[i] ? null : n[i], hideD[i] ? null : d[i]);
		}
	}

	private DisclosureControl() {
	}

	static Controlled apply(Year year, int k) {
		int g = year.strata().size();
		long[] n = lattice(year.numerators(), g);
		long[] d = lattice(year.denominators(), g);
		List<int[]> relations = relations(g);
		boolean[] hideD = new boolean[n.length];
		boolean[] hideN = new boolean[n.length];
		for (int i = 0; i < n.length; i++) {
			hideD[i] = small(d[i], k);
			hideN[i] = hideD[i] || small(n[i], k) || small(d[i] - n[i], k);
		}
		complement(d, hideD, relations, k);
		boolean changed = true;
		while (changed) {
			changed = false;
			for (int i = 0; i < n.length; i++) {
				if (hideD[i] && !hideN[i]) {
					hideN[i] = true;
					changed = true;
				}
			}
			changed |= complement(n, hideN, relations, k);
		}
		return new Controlled(year.strata(), n, d, hideN, hideD);
	}

	/** National counts per period, controlled along the period relations only (the count left out for consent). */
	static Long[] applyNational(long[] months, int k) {
		long[][] single = new long[12][1];
		for (int m = 0; m < 12; m++) {
			single[m][0] = months[m];
		}
		long[] all = lattice(single, 1);
		List<int[]> relations = relations(1);
		boolean[] hide = new boolean[all.length];
		for (int i = 0; i < all.length; i++) {
			hide[i] = small(all[i], k);
		}
		complement(all, hide, relations, k);
		Long[] out = new Long[PERIODS];
		for (int p = 0; p < PERIODS; p++) {
			int i = index(p, 1, 1);
			out[p] = hide[i] ? null : all[i];
		}
		return out;
	}

	static int index(int period, int stratum, int strata) {
		return period * (strata + 1) + stratum;
	}

	/** Cells for all 17 periods, each stratum and the national total (index {@code strata}). */
	private static long[] lattice(long[][] months, int g) {
		long[] cells = new long[PERIODS * (g + 1)];
		for (int m = 0; m < 12; m++) {
			for (int s = 0; s < g; s++) {
				long v = months[m][s];
				for (int p : new int[] { m, 12 + m / 3, YEAR }) {
					cells[index(p, s, g)] += v;
					cells[index(p, g, g)] += v;
				}
			}
		}
		return cells;
	}

	/** Every additive relation of the table, as {total, parts...}. */
	private static List<int[]> relations(int g) {
		List<int[]> relations = new ArrayList<>();
		for (int p = 0; p < PERIODS; p++) {
			int[] r = new int[g + 1];
			r[0] = index(p, g, g);
			for (int s = 0; s < g; s++) {
				r[s + 1] = index(p, s, g);
			}
			relations.add(r);
		}
		for (int s = 0; s <= g; s++) {
			int[] months = new int[13];
			months[0] = index(YEAR, s, g);
			for (int m = 0; m < 12; m++) {
				months[m + 1] = index(m, s, g);
			}
			relations.add(months);
			int[] quarters = new int[5];
			quarters[0] = index(YEAR, s, g);
			for (int q = 0; q < 4; q++) {
				quarters[q + 1] = index(12 + q, s, g);
				relations.add(new int[] { index(12 + q, s, g), index(3 * q, s, g), index(3 * q + 1, s, g), index(3 * q + 2, s, g) });
			}
			relations.add(quarters);
		}
		return relations;
	}

	/** Adds complementary suppressions until every relation is safe; true when it suppressed anything. */
	private static boolean complement(long[] values, boolean[] hidden, List<int[]> relations, int k) {
		boolean any = false;
		boolean changed = true;
		while (changed) {
			changed = false;
			for (int[] r : relations) {
				int masked = 0;
				long maskedParts = 0;
				for (int j = 0; j < r.length; j++) {
					if (hidden[r[j]]) {
						masked++;
						maskedParts += j == 0 ? 0 : values[r[j]];
					}
				}
				boolean loneTerm = masked == 1;
				boolean smallParts = !hidden[r[0]] && masked >= 1 && maskedParts < k;
				if (!loneTerm && !smallParts) {
					continue;
				}
				int pick = -1;
				for (int j = 1; j < r.length; j++) {
					int i = r[j];
					if (!hidden[i] && (pick < 0 || better(values, i, pick))) {
						pick = i;
					}
				}
				if (pick < 0 && !hidden[r[0]]) {
					pick = r[0];
				}
				if (pick >= 0) {
					hidden[pick] = true;
					changed = true;
					any = true;
				}
			}
		}
		return any;
	}

	/** Prefer a non-zero cell, then the smallest. */
	private static boolean better(long[] values, int candidate, int current) {
		boolean candidateZero = values[candidate] == 0;
		boolean currentZero = values[current] == 0;
		if (candidateZero != currentZero) {
			return !candidateZero;
		}
		return values[candidate] < values[current];
	}

	private static boolean small(long count, int k) {
		return count >= 1 && count < k;
	}
}
