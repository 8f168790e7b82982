package nl.kansrijkestart.gateway.monitoring;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Statistical disclosure control of all indicators of one calendar year at once (docs/indicators.md). Every report is a
 * slice of one table per year: each count of each indicator (denominator, numerator, left out for consent) by 17
 * periods (12 months, 4 quarters, the year) by the municipalities, the GGD regions and the country. Suppression decided
 * on the whole table holds whatever slices someone combines.
 *
 * <p>Primary: a count from 1 to k−1 is suppressed; a numerator also when the denominator minus the numerator is (nearly
 * everyone in the cell has the attribute), and with its denominator. Complementary, over each count's additive
 * relations (country = sum of regions, region = sum of its municipalities, year = sum of months = sum of quarters,
 * quarter = sum of its months): none may have exactly one suppressed term, which would follow from the others, and the
 * suppressed parts under a published total must add up to k or more; repeated until nothing changes. This does not
 * yet hold against someone who combines all relations at once by linear programming (issue 15, docs/indicators.md).
 */
final class DisclosureControl {

	static final int PERIODS = 17;
	static final int YEAR = 16;

	/** Strata 0..m−1 are the municipalities, then the regions, then the country. */
	record Geography(List<String> municipalities, List<String> regions, int[] regionOf) {

		int strata() {
			return municipalities.size() + regions.size() + 1;
		}

		int national() {
			return strata() - 1;
		}

		String code(int stratum) {
			return stratum < municipalities.size() ? municipalities.get(stratum)
					: stratum == national() ? null : regions.get(stratum - municipalities.size());
		}
	}

	/**
	 * One count of the year, per month and municipality ({@code local}) or per month for the country only ({@code
	 * months[m][0]}). {@code denominator} is the index of the count it is a part of (its numerator is within it), or −1.
	 */
	record Count(String name, boolean local, int denominator, long[][] months) {
	}

	record Year(Geography geography, List<Count> counts) {
	}

	/** The year after control: a cell's value, or null when it is suppressed (published as masked, never as zero). */
	static final class Controlled {
		private final Table table;

		private Controlled(Table table) {
			this.table = table;
		}

		Long value(int count, int period, int stratum) {
			int i = table.cell(count, period, stratum);
			return table.hidden[i] ? null : table.values[i];
		}
	}

	private DisclosureControl() {
	}

	static Controlled apply(Year year, int k) {
		Table t = new Table(year);
		t.primary(k);
		t.quickComplement(k);
		return new Controlled(t);
	}

	static boolean small(long count, int k) {
		return count >= 1 && count < k;
	}

	/** The year's cells, their true values and which are suppressed. */
	static final class Table {
		private final Year year;
		private final Geography geo;
		private final int strata;
		private final long[] values;
		private final boolean[] hidden;
		private final List<int[]> additive = new ArrayList<>();
		/** Per stratum, the municipalities it sums. */
		private final int[][] leavesOf;
		private final int[] allStrata;
		private final int[] countryOnly;

		Table(Year year) {
			this.year = year;
			this.geo = year.geography();
			this.strata = geo.strata();
			int counts = year.counts().size();
			int municipalities = geo.municipalities().size();
			values = new long[counts * PERIODS * strata];
			hidden = new boolean[values.length];
			leavesOf = new int[strata][];
			allStrata = new int[strata];
			Arrays.setAll(allStrata, i -> i);
			countryOnly = new int[] { geo.national() };
			for (int s = 0; s < strata; s++) {
				List<Integer> in = new ArrayList<>();
				for (int l = 0; l < municipalities; l++) {
					if (s == l || s == geo.national() || s >= municipalities && geo.regionOf()[l] == s - municipalities) {
						in.add(l);
					}
				}
				leavesOf[s] = in.stream().mapToInt(Integer::intValue).toArray();
			}
			// Each (month, municipality) count adds to the nine cells above it: its month, quarter and year, each for the
			// municipality, its region and the country.
			for (int c = 0; c < counts; c++) {
				Count count = year.counts().get(c);
				for (int m = 0; m < 12; m++) {
					for (int l = 0; l < count.months()[m].length; l++) {
						int[] above = count.local() ? new int[] { l, municipalities + geo.regionOf()[l], geo.national() } : new int[] { geo.national() };
						for (int p : new int[] { m, 12 + m / 3, YEAR }) {
							for (int s : above) {
								values[cell(c, p, s)] += count.months()[m][l];
							}
						}
					}
				}
				additiveRelations(c);
			}
		}

		int cell(int count, int period, int stratum) {
			return (count * PERIODS + period) * strata + stratum;
		}

		private boolean local(int count) {
			return year.counts().get(count).local();
		}

		/** The strata a count is published for. */
		private int[] stratumList(int count) {
			return local(count) ? allStrata : countryOnly;
		}

		private void additiveRelations(int c) {
			int m = geo.municipalities().size();
			if (local(c)) {
				for (int p = 0; p < PERIODS; p++) {
					List<Integer> national = new ArrayList<>(List.of(cell(c, p, geo.national())));
					for (int r = 0; r < geo.regions().size(); r++) {
						national.add(cell(c, p, m + r));
						List<Integer> region = new ArrayList<>(List.of(cell(c, p, m + r)));
						for (int s : leavesOf[m + r]) {
							region.add(cell(c, p, s));
						}
						additive.add(region.stream().mapToInt(Integer::intValue).toArray());
					}
					additive.add(national.stream().mapToInt(Integer::intValue).toArray());
				}
			}
			for (int s : stratumList(c)) {
				int[] monthsOfYear = new int[13];
				int[] quarters = new int[5];
				monthsOfYear[0] = quarters[0] = cell(c, YEAR, s);
				for (int month = 0; month < 12; month++) {
					monthsOfYear[month + 1] = cell(c, month, s);
				}
				for (int q = 0; q < 4; q++) {
					quarters[q + 1] = cell(c, 12 + q, s);
					additive.add(new int[] { cell(c, 12 + q, s), cell(c, 3 * q, s), cell(c, 3 * q + 1, s), cell(c, 3 * q + 2, s) });
				}
				additive.add(monthsOfYear);
				additive.add(quarters);
			}
		}

		void primary(int k) {
			for (int c = 0; c < year.counts().size(); c++) {
				int d = year.counts().get(c).denominator();
				for (int p = 0; p < PERIODS; p++) {
					for (int s : stratumList(c)) {
						int i = cell(c, p, s);
						hidden[i] = small(values[i], k);
						if (d >= 0) {
							int j = cell(d, p, s);
							hidden[i] |= small(values[j], k) || small(values[j] - values[i], k);
						}
					}
				}
			}
		}

		/** The quick pass over each count's additive relations, and numerators with their denominators, until stable. */
		void quickComplement(int k) {
			boolean changed = true;
			while (changed) {
				changed = false;
				for (int[] r : additive) {
					changed |= complement(r, k);
				}
				for (int c = 0; c < year.counts().size(); c++) {
					int d = year.counts().get(c).denominator();
					if (d < 0) {
						continue;
					}
					for (int p = 0; p < PERIODS; p++) {
						for (int s : stratumList(c)) {
							if (hidden[cell(d, p, s)] && !hidden[cell(c, p, s)]) {
								hidden[cell(c, p, s)] = true;
								changed = true;
							}
						}
					}
				}
			}
		}

		private boolean complement(int[] r, int k) {
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
				return false;
			}
			int pick = -1;
			for (int j = 1; j < r.length; j++) {
				if (!hidden[r[j]] && (pick < 0 || better(r[j], pick, k))) {
					pick = r[j];
				}
			}
			if (pick < 0 && !hidden[r[0]]) {
				pick = r[0];
			}
			if (pick < 0) {
				return false;
			}
			hidden[pick] = true;
			return true;
		}

		/** A cell with room for k (the smallest such), else the largest; zeros last. */
		private boolean better(int candidate, int current, int k) {
			long a = values[candidate];
			long b = values[current];
			if ((a == 0) != (b == 0)) {
				return a != 0;
			}
			if ((a >= k) != (b >= k)) {
				return a >= k;
			}
			return a >= k ? a < b : a > b;
		}
	}
}
