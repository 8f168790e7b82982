package nl.kansrijkestart.gateway.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Disclosure control against an attacker who knows the method: on thousands of random tables, no published count is
 * from 1 to k−1, no published numerator leaves 1 to k−1 without the attribute, and no suppressed cell can be
 * recomputed from the national total and the other strata.
 */
class DisclosureControlTest {

	private static final int K = 5;

	@Test
	void smallCountsAreMaskedNotZero() {
		var result = DisclosureControl.apply(List.of(cell("GM0363", 3, 40), cell("GM0599", 12, 60), cell("GM0518", 0, 30)),
				cell(null, 15, 130), K);
		var amsterdam = result.strata().get(0);
		assertThat(amsterdam.numerator()).isNull();
		assertThat(amsterdam.denominator()).isEqualTo(40);
		// Its complement is the smallest non-zero cell; a zero is not disclosive and stays.
		assertThat(result.strata().get(1).numerator()).isNull();
		assertThat(result.strata().get(2).numerator()).isZero();
		assertThat(result.total().numerator()).isEqualTo(15);
	}

	@Test
	void aLoneSuppressedCellGetsAComplementarySuppression() {
		var result = DisclosureControl.apply(List.of(cell("GM0363", 3, 40), cell("GM0599", 12, 60), cell("GM0518", 9, 30)),
				cell(null, 24, 130), K);
		assertThat(result.strata()).filteredOn(p -> p.numerator() == null).hasSize(2);
		// The smallest other cell (9) is the one sacrificed.
		assertThat(result.strata().get(2).numerator()).isNull();
		assertThat(result.strata().get(1).numerator()).isEqualTo(12);
	}

	@Test
	void nearlyEveryoneInACellIsAsDisclosiveAsNearlyNoOne() {
		var result = DisclosureControl.apply(List.of(cell("GM0363", 38, 40), cell("GM0599", 12, 60), cell("GM0518", 9, 30)),
				cell(null, 59, 130), K);
		assertThat(result.strata().get(0).numerator()).isNull();
	}

	@Test
	void suppressedCellsCannotBeRecoveredFromTotalsOrOtherStrata() {
		Random random = new Random(7);
		int tables = 0;
		int suppressedSeen = 0;
		for (int t = 0; t < 5000; t++) {
			List<DisclosureControl.Cell> cells = new ArrayList<>();
			long n = 0;
			long d = 0;
			int strata = 2 + random.nextInt(12);
			for (int i = 0; i < strata; i++) {
				long den = random.nextInt(4) == 0 ? random.nextInt(6) : random.nextInt(200);
				long num = den == 0 ? 0 : random.nextInt((int) den + 1);
				cells.add(cell("GM" + (1000 + i), num, den));
				n += num;
				d += den;
			}
			var result = DisclosureControl.apply(cells, cell(null, n, d), K);
			tables++;
			for (var p : result.strata()) {
				assertPublishable(p.numerator());
				assertPublishable(p.denominator());
				if (p.numerator() != null && p.denominator() != null) {
					assertPublishable(p.denominator() - p.numerator());
				}
				suppressedSeen += p.suppressed() ? 1 : 0;
			}
			assertNotRecoverable(cells, result, DisclosureControl.Published::numerator, DisclosureControl.Cell::numerator,
					result.total().numerator());
			assertNotRecoverable(cells, result, DisclosureControl.Published::denominator, DisclosureControl.Cell::denominator,
					result.total().denominator());
		}
		assertThat(tables).isEqualTo(5000);
		assertThat(suppressedSeen).as("the random tables do exercise suppression").isGreaterThan(1000);
	}

	/**
	 * The attacker's move: the published total minus the published strata is what the masked cells add up to. It must
	 * not pin down a single cell, nor show that the masked cells are all small.
	 */
	private static void assertNotRecoverable(List<DisclosureControl.Cell> cells, DisclosureControl.Result result,
			Function<DisclosureControl.Published, Long> published, Function<DisclosureControl.Cell, Long> truth, Long total) {
		if (total == null) {
			return;
		}
		long masked = 0;
		long maskedSum = 0;
		for (int i = 0; i < cells.size(); i++) {
			if (published.apply(result.strata().get(i)) == null) {
				masked++;
				maskedSum += truth.apply(cells.get(i));
			}
		}
		assertThat(masked).as("masked cells in a column under a published total: none, or at least two").isNotEqualTo(1);
		long sum = maskedSum;
		long all = masked;
		assertThat(sum).as("what the total gives away about the masked cells together").satisfiesAnyOf(
				s -> assertThat(s).isZero(), s -> assertThat(s).isGreaterThanOrEqualTo(K), s -> assertThat(all).isEqualTo(cells.size()));
	}

	private static void assertPublishable(Long count) {
		if (count != null) {
			assertThat(count).satisfiesAnyOf(c -> assertThat(c).isZero(), c -> assertThat(c).isGreaterThanOrEqualTo(K));
		}
	}

	private static DisclosureControl.Cell cell(String stratum, long numerator, long denominator) {
		return new DisclosureControl.Cell(stratum, numerator, denominator, null);
	}
}
