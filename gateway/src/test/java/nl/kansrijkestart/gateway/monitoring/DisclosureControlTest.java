package nl.kansrijkestart.gateway.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Disclosure control against someone who knows the method and has every report of a year (each month, quarter and the
 * year, per municipality and nationally): on thousands of random years, no published count is from 1 to k−1, no
 * published numerator leaves 1 to k−1 without the attribute, and no additive relation between reports gives a
 * suppressed cell away, or shows that the suppressed cells in it are all small.
 */
class DisclosureControlTest {

	private static final int K = 5;

	@Test
	void smallCountsAreMaskedNotZero() {
		long[][] n = new long[12][3];
		long[][] d = new long[12][3];
		n[0] = new long[] { 3, 12, 0 };
		d[0] = new long[] { 40, 60, 30 };
		var slice = DisclosureControl.apply(new DisclosureControl.Year(List.of("GM0363", "GM0599", "GM0518"), n, d), K).slice(0);
		assertThat(slice.strata().get(0).numerator()).isNull();
		assertThat(slice.strata().get(0).denominator()).isEqualTo(40);
		// Its complement is the smallest non-zero cell; a zero is not disclosive and stays.
		assertThat(slice.strata().get(1).numerator()).isNull();
		assertThat(slice.strata().get(2).numerator()).isZero();
		assertThat(slice.national().numerator()).isEqualTo(15);
	}

	@Test
	void nearlyEveryoneInACellIsAsDisclosiveAsNearlyNoOne() {
		long[][] n = new long[12][3];
		long[][] d = new long[12][3];
		n[5] = new long[] { 38, 12, 9 };
		d[5] = new long[] { 40, 60, 30 };
		var slice = DisclosureControl.apply(new DisclosureControl.Year(List.of("GM0363", "GM0599", "GM0518"), n, d), K).slice(5);
		assertThat(slice.strata().get(0).numerator()).isNull();
	}

	@Test
	void suppressedCellsCannotBeRecoveredFromAnyCombinationOfReports() {
		Random random = new Random(7);
		int suppressed = 0;
		for (int t = 0; t < 1500; t++) {
			int g = 2 + random.nextInt(8);
			long[][] n = new long[12][g];
			long[][] d = new long[12][g];
			for (int m = 0; m < 12; m++) {
				for (int s = 0; s < g; s++) {
					d[m][s] = random.nextInt(3) == 0 ? random.nextInt(4) : random.nextInt(40);
					n[m][s] = d[m][s] == 0 ? 0 : random.nextInt((int) d[m][s] + 1);
				}
			}
			List<String> strata = new ArrayList<>();
			for (int s = 0; s < g; s++) {
				strata.add("GM" + (1000 + s));
			}
			var controlled = DisclosureControl.apply(new DisclosureControl.Year(strata, n, d), K);
			Long[][] pubN = new Long[DisclosureControl.PERIODS][g + 1];
			Long[][] pubD = new Long[DisclosureControl.PERIODS][g + 1];
			for (int p = 0; p < DisclosureControl.PERIODS; p++) {
				var slice = controlled.slice(p);
				for (int s = 0; s <= g; s++) {
					var cell = s == g ? slice.national() : slice.strata().get(s);
					pubN[p][s] = cell.numerator();
					pubD[p][s] = cell.denominator();
					assertPublishable(cell.numerator());
					assertPublishable(cell.denominator());
					if (cell.numerator() != null && cell.denominator() != null) {
						assertPublishable(cell.denominator() - cell.numerator());
					}
					suppressed += cell.suppressed() ? 1 : 0;
				}
			}
			assertRelationsSafe(truth(n, g), pubN, g);
			assertRelationsSafe(truth(d, g), pubD, g);
		}
		assertThat(suppressed).as("the random years do exercise suppression").isGreaterThan(10_000);
	}

	/** True counts for every period and stratum (the national total last), computed here, not by the code under test. */
	private static long[][] truth(long[][] months, int g) {
		long[][] all = new long[DisclosureControl.PERIODS][g + 1];
		for (int m = 0; m < 12; m++) {
			for (int s = 0; s < g; s++) {
				for (int p : new int[] { m, 12 + m / 3, 16 }) {
					all[p][s] += months[m][s];
					all[p][g] += months[m][s];
				}
			}
		}
		return all;
	}

	/** Each relation total = sum of parts: never exactly one hidden term; hidden parts under a shown total add up to 0 or k+. */
	private static void assertRelationsSafe(long[][] truth, Long[][] published, int g) {
		List<int[][]> relations = new ArrayList<>();
		for (int p = 0; p < DisclosureControl.PERIODS; p++) {
			int[][] r = new int[g + 1][];
			r[0] = new int[] { p, g };
			for (int s = 0; s < g; s++) {
				r[s + 1] = new int[] { p, s };
			}
			relations.add(r);
		}
		for (int s = 0; s <= g; s++) {
			int[][] months = new int[13][];
			months[0] = new int[] { 16, s };
			for (int m = 0; m < 12; m++) {
				months[m + 1] = new int[] { m, s };
			}
			relations.add(months);
			int[][] quarters = new int[5][];
			quarters[0] = new int[] { 16, s };
			for (int q = 0; q < 4; q++) {
				quarters[q + 1] = new int[] { 12 + q, s };
				relations.add(new int[][] { { 12 + q, s }, { 3 * q, s }, { 3 * q + 1, s }, { 3 * q + 2, s } });
			}
			relations.add(quarters);
		}
		for (int[][] r : relations) {
			int hidden = 0;
			long hiddenParts = 0;
			for (int j = 0; j < r.length; j++) {
				if (published[r[j][0]][r[j][1]] == null) {
					hidden++;
					hiddenParts += j == 0 ? 0 : truth[r[j][0]][r[j][1]];
				}
			}
			assertThat(hidden).as("a relation with one hidden term gives it away").isNotEqualTo(1);
			if (published[r[0][0]][r[0][1]] != null && hidden > 0) {
				assertThat(hiddenParts).as("hidden parts under a shown total").satisfiesAnyOf(v -> assertThat(v).isZero(),
						v -> assertThat(v).isGreaterThanOrEqualTo(K));
			}
		}
	}

	private static void assertPublishable(Long count) {
		if (count != null) {
			assertThat(count).satisfiesAnyOf(c -> assertThat(c).isZero(), c -> assertThat(c).isGreaterThanOrEqualTo(K));
		}
	}
}
