package nl.kansrijkestart.gateway.monitoring;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A year of monitoring_cell rows made from synthetic births and pregnancies with
 * Dutch-like rates, counted the way the indicator views of Flyway V6 count them (written
 * out here again, apart from the SQL), so that every relation of relations.csv holds as
 * it does for real data. Municipalities are sized very unevenly.
 */
final class SyntheticCells {

	private SyntheticCells() {
	}

	/**
	 * Municipality codes GM1000… with their region GG2000… (regions of about equal
	 * numbers of municipalities).
	 */
	static Map<String, String> regions(int municipalities, int regions) {
		Map<String, String> regionOf = new HashMap<>();
		for (int s = 0; s < municipalities; s++) {
			regionOf.put("GM" + (1000 + s), "GG" + (2000 + s * regions / municipalities));
		}
		return regionOf;
	}

	static List<Indicators.CellRow> year(int births, int municipalities, long seed) {
		Random random = new Random(seed);
		Map<String, long[]> counts = new HashMap<>();
		for (int b = 0; b < births; b++) {
			String municipality = "GM"
					+ (1000 + Math.min(municipalities - 1, (int) (municipalities * Math.pow(random.nextDouble(), 2))));
			int month = random.nextInt(12);
			boolean permitted = random.nextDouble() < 0.9;
			int ga = random.nextDouble() < 0.003 ? 140 + random.nextInt(28)
					: random.nextDouble() < 0.07 ? 168 + random.nextInt(91) : 259 + random.nextInt(35);
			Integer percentile = random.nextDouble() < 0.01 ? null : random.nextInt(100);
			Integer weight = random.nextDouble() < 0.01 ? null
					: random.nextDouble() < 0.06 ? 900 + random.nextInt(1600) : 2500 + random.nextInt(2000);
			boolean live = random.nextDouble() > 0.005;
			Integer death = live && random.nextDouble() < 0.002 ? random.nextInt(29) : null;
			Boolean breastfed = random.nextDouble() < 0.05 ? null : random.nextDouble() < 0.7;
			Integer prenatal = random.nextDouble() < 0.6 ? 100 + random.nextInt(180) : null;
			boolean permit = random.nextDouble() < 0.7;
			Integer acknowledged = random.nextDouble() < 0.85 ? random.nextInt(30) : null;
			count(counts, "indicator_big2", month, municipality, permitted, ga >= 168,
					ga < 259 || percentile != null && percentile < 10);
			count(counts, "indicator_preterm", month, municipality, permitted, ga >= 168, ga < 259);
			count(counts, "indicator_sga", month, municipality, permitted, ga >= 168 && percentile != null,
					percentile != null && percentile < 10);
			count(counts, "indicator_low_birth_weight", month, municipality, permitted, live && weight != null,
					weight != null && weight < 2500);
			count(counts, "indicator_perinatal_mortality_7", month, municipality, permitted, ga >= 154,
					!live || death != null && death <= 7);
			count(counts, "indicator_perinatal_mortality_28", month, municipality, permitted, ga >= 154,
					!live || death != null && death <= 28);
			count(counts, "indicator_breastfeeding", month, municipality, permitted, live && breastfed != null,
					Boolean.TRUE.equals(breastfed));
			count(counts, "indicator_handover_before_28_weeks", month, municipality, permitted, true,
					prenatal != null && prenatal < 196);
			count(counts, "indicator_handover_permit", month, municipality, permitted, true, permit);
			count(counts, "indicator_birth_to_acknowledgement", month, municipality, permitted, acknowledged != null,
					acknowledged != null);
			// One pregnancy per birth.
			Integer firstVisit = random.nextDouble() < 0.02 ? null
					: random.nextDouble() < 0.8 ? 40 + random.nextInt(30) : 70 + random.nextInt(100);
			Boolean smoking = random.nextDouble() < 0.03 ? null : random.nextDouble() < 0.06;
			count(counts, "indicator_care_before_week_10", month, municipality, permitted, firstVisit != null,
					firstVisit != null && firstVisit < 70);
			count(counts, "indicator_smoking", month, municipality, permitted, smoking != null,
					Boolean.TRUE.equals(smoking));
		}
		List<Indicators.CellRow> rows = new ArrayList<>();
		counts.forEach((key, c) -> {
			String[] k = key.split("\\|");
			rows.add(new Indicators.CellRow(k[0], Integer.parseInt(k[1]), k[2], c[0], c[1], c[2]));
		});
		return rows;
	}

	private static void count(Map<String, long[]> counts, String view, int month, String municipality,
			boolean permitted, boolean denominator, boolean numerator) {
		long[] c = counts.computeIfAbsent(view + "|" + month + "|" + municipality, x -> new long[3]);
		if (denominator && permitted) {
			c[0]++;
			c[1] += numerator ? 1 : 0;
		}
		if (denominator && !permitted) {
			c[2]++;
		}
	}

}
