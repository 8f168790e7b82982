package nl.kansrijkestart.gateway.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import ca.uhn.fhir.context.FhirContext;

/**
 * Disclosure control of a national-size year (synthetic births with Dutch-like rates over
 * the 342 municipalities and 25 regions, all twelve indicators): it must not
 * over-suppress, as an earlier method did (the national totals masked). Prints its
 * figures; no timing threshold.
 */
class NationalYearControlTest {

	@Test
	void aNationalYearKeepsTheCountryAndRegionsAndSuppressesLittle() throws Exception {
		MeasureCatalog catalog = new MeasureCatalog(FhirContext.forR4Cached());
		var regions = SyntheticCells.regions(342, 25);
		for (int births : new int[] { 170_000, 20_000 }) {
			DisclosureControl.Year year = Indicators.year(SyntheticCells.year(births, 342, 1), catalog, regions::get);
			long started = System.nanoTime();
			var controlled = DisclosureControl.apply(year, 5);
			long ms = (System.nanoTime() - started) / 1_000_000;
			DisclosureControl.Geography geo = year.geography();
			int grid = 0;
			int suppressed = 0;
			for (int c = 0; c < year.counts().size(); c++) {
				boolean local = year.counts().get(c).local();
				for (int p = 0; p < DisclosureControl.PERIODS; p++) {
					for (int s = local ? 0 : geo.national(); s < geo.strata(); s++) {
						boolean onGrid = s == geo.national() || (s < geo.municipalities().size()
								? DisclosureControl.publishesMunicipalities(p) : DisclosureControl.publishesRegions(p));
						grid += onGrid ? 1 : 0;
						suppressed += onGrid && controlled.value(c, p, s) == null ? 1 : 0;
					}
				}
				if (births == 170_000) {
					assertThat(controlled.value(c, DisclosureControl.YEAR, geo.national()))
						.as(year.counts().get(c).name() + " nationally")
						.isNotNull();
				}
			}
			System.out.printf(
					"Disclosure control of %,d births over 342 municipalities: %d ms, %d of %d grid cells suppressed, %s%n",
					births, ms, suppressed, grid, controlled.outcome());
			assertThat(suppressed).as("suppressed of " + grid).isLessThan(grid / (births == 170_000 ? 20 : 5));
		}
	}

}
