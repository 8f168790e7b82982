package nl.kansrijkestart.gateway.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Disclosure control against someone who knows the method and has every report of a year
 * (each month, quarter and the year, per municipality, GGD region and nationally, every
 * indicator): on hundreds of random years, no published count is from 1 to k−1, no
 * published numerator leaves 1 to k−1 without the attribute or goes without its
 * denominator, and no additive relation between reports gives a suppressed cell away, or
 * shows that the suppressed cells in it are all small. The truth and the relations are
 * worked out here, not by the code under test.
 */
class DisclosureControlTest {

	private static final int K = 5;

	/**
	 * Municipalities in regions of three (the last region takes the rest; a region may
	 * hold one).
	 */
	private static DisclosureControl.Geography geography(int municipalities, int regions) {
		List<String> codes = new ArrayList<>();
		int[] regionOf = new int[municipalities];
		for (int s = 0; s < municipalities; s++) {
			codes.add("GM" + (1000 + s));
			regionOf[s] = Math.min(s / 3, regions - 1);
		}
		List<String> regionCodes = new ArrayList<>();
		for (int r = 0; r < regions; r++) {
			regionCodes.add("GG" + (2000 + r));
		}
		return new DisclosureControl.Geography(codes, regionCodes, regionOf);
	}

	/** A denominator (0), its numerator (1) and a count published nationally only (2). */
	private static DisclosureControl.Year year(DisclosureControl.Geography geo, long[][] n, long[][] d,
			long[][] excluded) {
		return new DisclosureControl.Year(geo,
				List.of(new DisclosureControl.Count("d", true, -1, d), new DisclosureControl.Count("n", true, 0, n),
						new DisclosureControl.Count("excluded", false, -1, excluded)),
				List.of());
	}

	@Test
	void smallCountsAreMaskedNotZero() {
		long[][] n = new long[12][3];
		long[][] d = new long[12][3];
		n[0] = new long[] { 3, 12, 0 };
		d[0] = new long[] { 40, 60, 30 };
		DisclosureControl.Geography geo = geography(3, 1);
		var controlled = DisclosureControl.apply(year(geo, n, d, new long[12][1]), K);
		int y = DisclosureControl.YEAR;
		assertThat(controlled.value(1, y, 0)).isNull();
		assertThat(controlled.value(0, y, 0)).isEqualTo(40);
		// Its complement is the smallest non-zero cell; a zero is not disclosive and
		// stays.
		assertThat(controlled.value(1, y, 1)).isNull();
		assertThat(controlled.value(1, y, 2)).isZero();
		assertThat(controlled.value(1, y, geo.national())).isEqualTo(15);
		// Off the publication grid nothing is published: no municipality by month or
		// quarter, no region by month.
		assertThat(controlled.value(0, 0, 0)).isNull();
		assertThat(controlled.value(0, 12, 0)).isNull();
		assertThat(controlled.value(0, 0, 3)).isNull();
		assertThat(controlled.value(0, 12, 3)).isEqualTo(130);
		assertThat(controlled.value(0, 0, geo.national())).isEqualTo(130);
	}

	@Test
	void nearlyEveryoneInACellIsAsDisclosiveAsNearlyNoOne() {
		long[][] n = new long[12][3];
		long[][] d = new long[12][3];
		n[5] = new long[] { 38, 12, 9 };
		d[5] = new long[] { 40, 60, 30 };
		var controlled = DisclosureControl.apply(year(geography(3, 1), n, d, new long[12][1]), K);
		assertThat(controlled.value(1, DisclosureControl.YEAR, 0)).isNull();
	}

	@Test
	void aRegionOfOneMunicipalityHidesWhatItsMunicipalityHides() {
		long[][] n = new long[12][4];
		long[][] d = new long[12][4];
		d[2] = new long[] { 40, 60, 30, 3 };
		DisclosureControl.Geography geo = geography(4, 2);
		assertThat(geo.regionOf()[3]).isEqualTo(1);
		var controlled = DisclosureControl.apply(year(geo, n, d, new long[12][1]), K);
		assertThat(controlled.value(0, DisclosureControl.YEAR, 3)).isNull();
		assertThat(controlled.value(0, DisclosureControl.YEAR, 4 + 1)).as("the region's cell is the municipality's")
			.isNull();
	}

	@Test
	void suppressedCellsCannotBeRecoveredFromAnyAdditiveCombinationOfReports() {
		Random random = new Random(7);
		int suppressed = 0;
		for (int t = 0; t < 400; t++) {
			int g = 2 + random.nextInt(9);
			DisclosureControl.Geography geo = geography(g, 1 + random.nextInt((g + 2) / 3));
			long[][] n = new long[12][g];
			long[][] d = new long[12][g];
			long[][] excluded = new long[12][1];
			for (int m = 0; m < 12; m++) {
				for (int s = 0; s < g; s++) {
					d[m][s] = random.nextInt(3) == 0 ? random.nextInt(4) : random.nextInt(40);
					n[m][s] = d[m][s] == 0 ? 0 : random.nextInt((int) d[m][s] + 1);
				}
				excluded[m][0] = random.nextInt(8);
			}
			DisclosureControl.Year year = year(geo, n, d, excluded);
			var controlled = DisclosureControl.apply(year, K);
			for (int c = 0; c < 3; c++) {
				boolean local = c < 2;
				for (int p = 0; p < DisclosureControl.PERIODS; p++) {
					for (int s = local ? 0 : geo.national(); s < geo.strata(); s++) {
						Long v = controlled.value(c, p, s);
						if (v == null) {
							suppressed++;
							continue;
						}
						assertThat(publishable(v)).as("published count %d", v).isTrue();
						if (c == 1) {
							Long dv = controlled.value(0, p, s);
							assertThat(dv).as("a numerator is published only with its denominator").isNotNull();
							assertThat(publishable(dv - v)).as("denominator minus numerator %d", dv - v).isTrue();
						}
					}
				}
				assertRelationsSafe(year, controlled, c);
			}
		}
		assertThat(suppressed).as("the random years do exercise suppression").isGreaterThan(10_000);
	}

	/** A cell's true value, summed here from the year's months and municipalities. */
	private static long truth(DisclosureControl.Year year, int c, int p, int s) {
		DisclosureControl.Count count = year.counts().get(c);
		DisclosureControl.Geography geo = year.geography();
		int municipalities = geo.municipalities().size();
		long sum = 0;
		for (int m = 0; m < 12; m++) {
			if (p == m || p == 12 + m / 3 || p == DisclosureControl.YEAR) {
				for (int l = 0; l < count.months()[m].length; l++) {
					boolean in = !count.local() || s == geo.national() || s == l
							|| s >= municipalities && geo.regionOf()[l] == s - municipalities;
					sum += in ? count.months()[m][l] : 0;
				}
			}
		}
		return sum;
	}

	/**
	 * Each relation total = sum of parts (country = regions, region = its municipalities,
	 * year = months = quarters, quarter = its months): never exactly one hidden term;
	 * hidden parts under a shown total add up to 0 or k+.
	 */
	private static void assertRelationsSafe(DisclosureControl.Year year, DisclosureControl.Controlled controlled,
			int c) {
		DisclosureControl.Geography geo = year.geography();
		int municipalities = geo.municipalities().size();
		boolean local = year.counts().get(c).local();
		List<int[][]> relations = new ArrayList<>();
		for (int p = 0; p < DisclosureControl.PERIODS && local; p++) {
			List<int[]> country = new ArrayList<>(List.of(new int[] { p, geo.national() }));
			for (int r = 0; r < geo.regions().size(); r++) {
				country.add(new int[] { p, municipalities + r });
				List<int[]> region = new ArrayList<>(List.of(new int[] { p, municipalities + r }));
				for (int l = 0; l < municipalities; l++) {
					if (geo.regionOf()[l] == r) {
						region.add(new int[] { p, l });
					}
				}
				relations.add(region.toArray(int[][]::new));
			}
			relations.add(country.toArray(int[][]::new));
		}
		for (int s = local ? 0 : geo.national(); s < geo.strata(); s++) {
			int[][] months = new int[13][];
			months[0] = new int[] { DisclosureControl.YEAR, s };
			for (int m = 0; m < 12; m++) {
				months[m + 1] = new int[] { m, s };
			}
			relations.add(months);
			int[][] quarters = new int[5][];
			quarters[0] = new int[] { DisclosureControl.YEAR, s };
			for (int q = 0; q < 4; q++) {
				quarters[q + 1] = new int[] { 12 + q, s };
				relations.add(new int[][] { { 12 + q, s }, { 3 * q, s }, { 3 * q + 1, s }, { 3 * q + 2, s } });
			}
			relations.add(quarters);
		}
		for (int[][] r : relations) {
			// Relations with a cell off the publication grid are the linear attack's
			// (aLinearProgrammingAttacker…).
			if (java.util.Arrays.stream(r)
				.anyMatch(cell -> !(cell[1] == geo.national()
						|| (cell[1] < municipalities ? cell[0] == DisclosureControl.YEAR : cell[0] >= 12)))) {
				continue;
			}
			int hidden = 0;
			long hiddenParts = 0;
			for (int j = 0; j < r.length; j++) {
				if (controlled.value(c, r[j][0], r[j][1]) == null) {
					hidden++;
					hiddenParts += j == 0 ? 0 : truth(year, c, r[j][0], r[j][1]);
				}
			}
			assertThat(hidden).as("a relation with one hidden term gives it away").isNotEqualTo(1);
			if (controlled.value(c, r[0][0], r[0][1]) != null && hidden > 0) {
				assertThat(publishable(hiddenParts)).as("hidden parts %d under a shown total", hiddenParts).isTrue();
			}
		}
	}

	/**
	 * The attack: with every published cell of a year of the catalog's twelve
	 * indicators (their numerators, denominators and the counts left out for consent,
	 * every period and stratum) and every relation between the indicators, a linear
	 * program per masked cell narrows no sensitive one to fewer than k whole numbers, nor
	 * any small count off the publication grid. Years of three shapes: 700 births in 7
	 * municipalities of 3 regions, 100 in 6 municipalities that are each a region, 300 in
	 * 10 of 2. The same attacker does recover cells from primary suppression alone.
	 */
	@Test
	void aLinearProgrammingAttackerRecoversNoMaskedCellOfTheCatalogsYear() throws Exception {
		MeasureCatalog catalog = new MeasureCatalog(ca.uhn.fhir.context.FhirContext.forR4Cached());
		for (int[] shape : new int[][] { { 100, 6, 6, 2 }, { 300, 10, 2, 5 } }) {
			var regionsOf = SyntheticCells.regions(shape[1], shape[2]);
			DisclosureControl.Year small = Indicators.year(SyntheticCells.year(shape[0], shape[1], shape[3]), catalog,
					regionsOf::get);
			var controlled = DisclosureControl.apply(small, K);
			assertThat(controlled.outcome().level()).isEqualTo(DisclosureControl.Level.MUNICIPALITIES);
			assertThat(LinearAttack.recovered(small, controlled::value, K)).as(shape[0] + " births").isEmpty();
		}
		var regions = SyntheticCells.regions(7, 3);
		DisclosureControl.Year year = Indicators.year(SyntheticCells.year(700, 7, 3), catalog, regions::get);
		var controlled = DisclosureControl.apply(year, K);
		assertThat(controlled.outcome().primary()).as("the year has small counts to protect").isGreaterThan(50);
		assertThat(LinearAttack.recovered(year, controlled::value, K)).isEmpty();

		List<String> primaryOnly = LinearAttack.recovered(year, (c, p, s) -> {
			boolean grid = s == year.geography().national() || (s < 7 ? p == DisclosureControl.YEAR : p >= 12);
			long v = truth(year, c, p, s);
			int d = year.counts().get(c).denominator();
			boolean small = !publishable(v)
					|| d >= 0 && (!publishable(truth(year, d, p, s)) || !publishable(truth(year, d, p, s) - v));
			return grid && !small ? v : null;
		}, K);
		assertThat(primaryOnly).as("the attacker works").isNotEmpty();
	}

	/**
	 * A year too costly to audit at one level is published one level coarser, and that
	 * holds against the attacker too.
	 */
	@Test
	void aYearBeyondTheAuditsBudgetIsPublishedCoarser() throws Exception {
		MeasureCatalog catalog = new MeasureCatalog(ca.uhn.fhir.context.FhirContext.forR4Cached());
		var regions = SyntheticCells.regions(7, 3);
		DisclosureControl.Year year = Indicators.year(SyntheticCells.year(700, 7, 3), catalog, regions::get);
		assertThat(DisclosureControl.apply(year, K).outcome().level())
			.isEqualTo(DisclosureControl.Level.MUNICIPALITIES);

		var controlled = DisclosureControl.apply(year, K, 50);
		assertThat(controlled.outcome().level()).isNotEqualTo(DisclosureControl.Level.MUNICIPALITIES);
		assertThat(controlled.outcome().programs()).isGreaterThan(50);
		int national = 0;
		for (int c = 0; c < year.counts().size(); c++) {
			for (int s = 0; s < 7 && year.counts().get(c).local(); s++) {
				assertThat(controlled.value(c, DisclosureControl.YEAR, s))
					.as(year.counts().get(c).name() + " in municipality " + s)
					.isNull();
			}
			national += controlled.value(c, DisclosureControl.YEAR, year.geography().national()) == null ? 0 : 1;
		}
		assertThat(national).as("counts of the country's year published").isPositive();
		assertThat(LinearAttack.recovered(year, controlled::value, K)).isEmpty();
	}

	private static boolean publishable(long count) {
		return count == 0 || count >= K;
	}

}
