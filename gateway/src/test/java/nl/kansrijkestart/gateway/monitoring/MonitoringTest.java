package nl.kansrijkestart.gateway.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import nl.kansrijkestart.gateway.consent.Purpose;
import nl.kansrijkestart.gateway.store.Municipalities;
import nl.kansrijkestart.gateway.support.Consents;
import nl.kansrijkestart.gateway.support.Family;
import nl.kansrijkestart.gateway.support.FhirHttp;
import nl.kansrijkestart.gateway.support.GatewayTest;
import nl.kansrijkestart.tools.PregnancyGenerator;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Measure;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The indicators on a generated data set whose truth the generator wrote down: every
 * published count equals the truth computed here from the generator's record (never from
 * FHIR), only persons with a monitoring permit count, the number left out for consent is
 * stated, a withdrawal takes effect in the next result, and nothing in the output
 * identifies anyone. The counts are exact: the class starts from empty monitoring facts.
 */
@GatewayTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MonitoringTest {

	private static final int PREGNANCIES = 120;

	private static final int YEAR = 2024;

	private static final String PERIOD = "periodStart=2024-01&periodEnd=2024-12";

	@LocalServerPort
	int port;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	Municipalities municipalities;

	FhirHttp http;

	FhirHttp monitoring;

	final List<PregnancyGenerator.Truth> counted = new ArrayList<>();

	final List<PregnancyGenerator.Truth> notCounted = new ArrayList<>();

	final List<Family> families = new ArrayList<>();

	final Set<String> handoverPermitted = new HashSet<>();

	@BeforeAll
	void load() throws Exception {
		// The counts are exact: the facts of other test classes' births (in the shared
		// context) are set aside first.
		awaitFacts();
		jdbc.update("delete from monitoring_birth");
		jdbc.update("delete from monitoring_pregnancy");
		jdbc.execute("select monitoring_refresh_all_cells()");
		http = new FhirHttp(port);
		monitoring = http.as("monitoring");
		PregnancyGenerator generator = new PregnancyGenerator(61_000);
		// Submitted by four clients at once, as birth-care systems do; the families keep
		// the generator's order.
		ExecutorService clients = Executors.newFixedThreadPool(4);
		List<Future<Family>> submitted = new ArrayList<>();
		for (int i = 0; i < PREGNANCIES; i++) {
			var pregnancy = generator.next();
			// Every ninth mother gives no permit for monitoring (opt-in: she is not
			// counted); every fourth permits handover.
			boolean permits = i % 9 != 0;
			boolean handover = i % 4 == 0;
			List<Purpose> purposes = new ArrayList<>();
			if (permits) {
				purposes.add(Purpose.MONITORING);
			}
			if (handover) {
				purposes.add(Purpose.HANDOVER);
				handoverPermitted.add(pregnancy.truth().motherBsn());
			}
			submitted.add(clients.submit(() -> Family.submit(http, pregnancy,
					(mother, child) -> purposes.isEmpty() ? List.of() : List.of(Consents.simple("consent", mother,
							"2023-06-01T10:00:00+02:00", true, purposes.toArray(Purpose[]::new))))));
			(permits ? counted : notCounted).add(pregnancy.truth());
		}
		for (Future<Family> family : submitted) {
			families.add(family.get());
		}
		clients.shutdown();
		awaitFacts();
	}

	private void awaitFacts() {
		await().atMost(Duration.ofSeconds(180))
			.until(() -> jdbc.queryForObject(
					"select (select count(*) from int_channel_message)" + " + (select count(*) from monitoring_check)",
					Long.class) == 0);
	}

	private MeasureReport report(String measure) {
		FhirHttp.Response r = monitoring.get("/fhir/Measure/" + measure + "/$evaluate-measure?" + PERIOD);
		assertThat(r.status()).as(r.body()).isEqualTo(200);
		return r.as(MeasureReport.class);
	}

	/** A birth of the generated data, as the truth describes it. */
	record Birth(String municipality, int gaDays, PregnancyGenerator.ChildTruth child, String motherBsn) {
	}

	/**
	 * The births of the reporting year (every generated pregnancy ends in a birth; it
	 * counts in that month).
	 */
	private static List<Birth> births(List<PregnancyGenerator.Truth> truths) {
		List<Birth> births = new ArrayList<>();
		inYear(truths).forEach(t -> t.children()
			.forEach(c -> births.add(new Birth(t.municipality(), t.gestationalAgeAtBirthDays(), c, t.motherBsn()))));
		return births;
	}

	private static List<PregnancyGenerator.Truth> inYear(List<PregnancyGenerator.Truth> truths) {
		return truths.stream().filter(t -> t.birthDate().getYear() == YEAR).toList();
	}

	/** Expected numerator and denominator per municipality and nationally ("NL"). */
	private static <T> Map<String, long[]> truth(List<T> units, java.util.function.Function<T, String> municipality,
			Predicate<T> denominator, Predicate<T> numerator) {
		Map<String, long[]> cells = new HashMap<>();
		for (T u : units) {
			if (!denominator.test(u)) {
				continue;
			}
			for (String key : List.of(municipality.apply(u), "NL")) {
				long[] c = cells.computeIfAbsent(key, x -> new long[2]);
				c[1]++;
				c[0] += numerator.test(u) ? 1 : 0;
			}
		}
		return cells;
	}

	/**
	 * Returns how many counts of the report are published, nationally and per
	 * municipality.
	 */
	private int assertMatchesTruth(String measure, Map<String, long[]> truth) {
		MeasureReport report = report(measure);
		var group = report.getGroupFirstRep();
		int published = assertCell(measure + " NL", truth.getOrDefault("NL", new long[2]), group.getPopulation());
		for (var stratum : group.getStratifierFirstRep().getStratum()) {
			String municipality = stratum.getValue().getCodingFirstRep().getCode();
			published += assertCell(measure + " " + municipality, truth.getOrDefault(municipality, new long[2]),
					stratum.getPopulation());
		}
		assertThat(group.getStratifierFirstRep().getStratum())
			.extracting(s -> s.getValue().getCodingFirstRep().getCode())
			.containsExactlyInAnyOrderElementsOf(truth.keySet().stream().filter(k -> !k.equals("NL")).toList());
		return published;
	}

	/**
	 * Published counts equal the truth; masked ones are marked as such. Returns how many
	 * were published.
	 */
	private static int assertCell(String what, long[] truth, List<? extends org.hl7.fhir.r4.model.Base> populations) {
		int published = 0;
		for (var p : populations) {
			var pop = (org.hl7.fhir.r4.model.BackboneElement) p;
			String code = ((org.hl7.fhir.r4.model.CodeableConcept) pop.getNamedProperty("code").getValues().get(0))
				.getCodingFirstRep()
				.getCode();
			var count = (org.hl7.fhir.r4.model.IntegerType) pop.getNamedProperty("count").getValues().get(0);
			long expected = code.equals("numerator") ? truth[0] : truth[1];
			if (count.getValue() == null) {
				// Masked, never shown as zero (DisclosureControlTest covers when, and
				// that it cannot be undone).
				assertThat(count.getExtensionByUrl(Indicators.DATA_ABSENT).getValue().primitiveValue()).as(what)
					.isEqualTo("masked");
			}
			else {
				assertThat(count.getValue().longValue()).as(what + " " + code).isEqualTo(expected);
				published++;
			}
		}
		return published;
	}

	/**
	 * The page's chart library and map are compressed for the browser; a token response,
	 * which a secret is in, is not.
	 */
	@Test
	void onlyThePagesCodeAndMapAreCompressed() {
		for (String path : List.of("/webjars/echarts/5.3.1/dist/echarts.min.js",
				"/monitoring/api/map/municipalities.geojson")) {
			FhirHttp.Response r = monitoring.send(
					java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + port + path)),
					"Accept-Encoding", "gzip");
			assertThat(r.status()).as(path).isEqualTo(200);
			assertThat(r.header("Content-Encoding")).as(path).isEqualTo("gzip");
		}
		FhirHttp.Response token = http.as(null)
			.send(java.net.http.HttpRequest
				.newBuilder(java.net.URI.create("http://localhost:" + port + "/oauth2/token"))
				.header("Content-Type", "application/x-www-form-urlencoded")
				.POST(java.net.http.HttpRequest.BodyPublishers.ofString(
						"grant_type=client_credentials&client_id=monitoring&client_secret=" + FhirHttp.TEST_SECRET)),
					"Accept-Encoding", "gzip");
		assertThat(token.status()).as(token.body()).isEqualTo(200);
		assertThat(token.header("Content-Encoding")).isNull();
	}

	@Test
	void everyIndicatorHasAMeasure() {
		Bundle measures = monitoring.get("/fhir/Measure").as(Bundle.class);
		assertThat(measures.getEntry()).extracting(e -> e.getResource().getIdElement().getIdPart())
			.contains("ks-big2", "ks-preterm", "ks-sga", "ks-low-birth-weight", "ks-perinatal-mortality-7",
					"ks-perinatal-mortality-28", "ks-care-before-week-10", "ks-smoking", "ks-breastfeeding",
					"ks-handover-before-28-weeks", "ks-birth-to-acknowledgement", "ks-handover-permit");
		assertThat(((Measure) measures.getEntryFirstRep().getResource()).getGroupFirstRep().getPopulation())
			.isNotEmpty();
	}

	@Test
	void birthIndicatorsEqualTheTruth() {
		List<Birth> births = births(counted);
		int published = 0;
		published += assertMatchesTruth("ks-preterm",
				truth(births, Birth::municipality, b -> b.gaDays() >= 168, b -> b.gaDays() < 259));
		published += assertMatchesTruth("ks-big2", truth(births, Birth::municipality, b -> b.gaDays() >= 168,
				b -> b.gaDays() < 259 || b.child().percentile() < 10));
		published += assertMatchesTruth("ks-sga",
				truth(births, Birth::municipality, b -> b.gaDays() >= 168, b -> b.child().percentile() < 10));
		published += assertMatchesTruth("ks-low-birth-weight", truth(births, Birth::municipality,
				b -> b.child().liveBirth(), b -> b.child().birthWeightGrams() < 2500));
		published += assertMatchesTruth("ks-breastfeeding", truth(births, Birth::municipality,
				b -> b.child().liveBirth(), b -> !"169644004".equals(b.child().feeding())));
		// The generator records stillbirths, and no deaths after a live birth.
		published += assertMatchesTruth("ks-perinatal-mortality-7",
				truth(births, Birth::municipality, b -> b.gaDays() >= 154, b -> !b.child().liveBirth()));
		published += assertMatchesTruth("ks-perinatal-mortality-28",
				truth(births, Birth::municipality, b -> b.gaDays() >= 154, b -> !b.child().liveBirth()));
		published += assertMatchesTruth("ks-handover-permit",
				truth(births, Birth::municipality, b -> true, b -> handoverPermitted.contains(b.motherBsn())));
		// A year of a hundred births keeps little, but not nothing (DisclosureControlTest
		// shows what is masked and why).
		assertThat(published).as("published counts of the birth indicators").isGreaterThan(10);
	}

	@Test
	void pregnancyIndicatorsEqualTheTruth() {
		int published = assertMatchesTruth("ks-smoking", truth(inYear(counted), PregnancyGenerator.Truth::municipality,
				t -> true, PregnancyGenerator.Truth::smoking));
		published += assertMatchesTruth("ks-care-before-week-10", truth(inYear(counted),
				PregnancyGenerator.Truth::municipality, t -> true, PregnancyGenerator.Truth::careStartBeforeWeek10));
		assertThat(published).as("published counts of the pregnancy indicators").isPositive();
	}

	@Test
	void theReportSaysHowManyWereLeftOutForConsentButNotWho() {
		MeasureReport report = report("ks-preterm");
		var excluded = (org.hl7.fhir.r4.model.IntegerType) report.getGroupFirstRep()
			.getExtensionByUrl(Indicators.EXCLUDED)
			.getValue();
		assertThat(excluded.getValue()).isEqualTo(births(notCounted).size());
		String json = FhirHttp.json(report);
		String csv = monitoring.get("/monitoring/api/ks-preterm.csv?" + PERIOD).body();
		for (PregnancyGenerator.Truth t : counted) {
			assertThat(json).doesNotContain(t.motherBsn());
			assertThat(csv).doesNotContain(t.motherBsn());
		}
		for (Family f : families) {
			assertThat(json).doesNotContain(f.motherId());
		}
		Pattern exactDate = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}");
		assertThat(exactDate.matcher(json).find()).as("no date finer than a month").isFalse();
		assertThat(exactDate.matcher(csv).find()).isFalse();
		assertThat(report.getPeriod().getStartElement().getValueAsString()).isEqualTo("2024-01");
	}

	/** Fields of a CSV line; a quoted field may hold commas. */
	private static String[] fields(String line) {
		List<String> out = new ArrayList<>();
		StringBuilder field = new StringBuilder();
		boolean quoted = false;
		for (int i = 0; i < line.length(); i++) {
			char ch = line.charAt(i);
			if (ch == '"') {
				quoted = !quoted;
			}
			else if (ch == ',' && !quoted) {
				out.add(field.toString());
				field.setLength(0);
			}
			else {
				field.append(ch);
			}
		}
		out.add(field.toString());
		return out.toArray(String[]::new);
	}

	/**
	 * The truth per municipality, with each GGD region's and the country's ("NL") added
	 * up here.
	 */
	private Map<String, long[]> withRegions(Map<String, long[]> truth) {
		Map<String, long[]> all = new HashMap<>(truth);
		truth.forEach((code, cell) -> {
			if (!code.equals("NL")) {
				long[] region = all.computeIfAbsent(municipalities.region(code), r -> new long[2]);
				region[0] += cell[0];
				region[1] += cell[1];
			}
		});
		return all;
	}

	@Test
	void csvHasTheTableWithNamesRegionsAndTheNationalFigureBesideEachStratum() {
		FhirHttp.Response r = monitoring.get("/monitoring/api/ks-big2.csv?" + PERIOD);
		assertThat(r.status()).isEqualTo(200);
		assertThat(r.header("Content-Type")).startsWith("text/csv");
		String[] lines = r.body().split("\n");
		assertThat(lines[0])
			.isEqualTo("measure,period_start,period_end,level,code,name,numerator,denominator,score,national_numerator,"
					+ "national_denominator,national_score");
		Map<String, long[]> truth = withRegions(truth(births(counted), Birth::municipality, b -> b.gaDays() >= 168,
				b -> b.gaDays() < 259 || b.child().percentile() < 10));
		Map<String, Integer> levels = new HashMap<>();
		for (int i = 1; i < lines.length; i++) {
			String[] f = fields(lines[i]);
			levels.merge(f[3], 1, Integer::sum);
			assertThat(f[10]).isIn(Long.toString(truth.get("NL")[1]), "suppressed");
			assertThat(f[5]).as("the name of " + f[4])
				.isEqualTo(f[3].equals("national") ? "Nederland" : municipalities.name(f[4]));
			if (!f[7].equals("suppressed")) {
				assertThat(Long.parseLong(f[7])).as(f[4])
					.isEqualTo(truth.get(f[3].equals("national") ? "NL" : f[4])[1]);
			}
		}
		long regions = truth.keySet().stream().filter(c -> c.startsWith("GG")).count();
		assertThat(levels).containsEntry("national", 1)
			.containsEntry("region", (int) regions)
			.containsEntry("municipality", truth.size() - 1 - (int) regions);
		assertThat(monitoring.get("/monitoring/api/ks-big2.csv?periodStart=2024").status()).isEqualTo(400);
		// Free periods would give away their differences: only months, quarters and
		// years.
		assertThat(monitoring.get("/monitoring/api/ks-big2.csv?periodStart=2024-01&periodEnd=2024-11").status())
			.isEqualTo(400);
		assertThat(monitoring.get("/monitoring/api/no-such.csv?" + PERIOD).status()).isEqualTo(404);
		assertThat(http.get("/monitoring/api/ks-big2.csv?" + PERIOD).status()).as("a submitter").isEqualTo(403);
	}

	@Test
	void aRegionIsAStratumWithItsMunicipalitiesAndNames() {
		Map<String, long[]> truth = withRegions(
				truth(births(counted), Birth::municipality, b -> b.gaDays() >= 168, b -> b.gaDays() < 259));
		String municipality = births(counted).get(0).municipality();
		String region = municipalities.region(municipality);
		FhirHttp.Response r = monitoring
			.get("/fhir/Measure/ks-preterm/$evaluate-measure?" + PERIOD + "&region=" + region);
		assertThat(r.status()).as(r.body()).isEqualTo(200);
		var group = r.as(MeasureReport.class).getGroupFirstRep();
		var byMunicipality = group.getStratifier().get(0);
		var byRegion = group.getStratifier().get(1);
		assertThat(byMunicipality.getCodeFirstRep().getText()).isEqualTo("municipality");
		assertThat(byRegion.getCodeFirstRep().getText()).isEqualTo("region");
		assertThat(byRegion.getStratum()).hasSize(1);
		var coding = byRegion.getStratumFirstRep().getValue().getCodingFirstRep();
		assertThat(coding.getSystem()).isEqualTo(Indicators.REGION_SYSTEM);
		assertThat(coding.getCode()).isEqualTo(region);
		assertThat(coding.getDisplay()).isEqualTo(municipalities.name(region)).isNotBlank();
		assertCell("region " + region, truth.get(region), byRegion.getStratumFirstRep().getPopulation());
		assertThat(byMunicipality.getStratum()).isNotEmpty().allSatisfy(s -> {
			assertThat(municipalities.region(s.getValue().getCodingFirstRep().getCode())).isEqualTo(region);
			assertThat(s.getValue().getCodingFirstRep().getDisplay())
				.isEqualTo(municipalities.name(s.getValue().getCodingFirstRep().getCode()));
		});
		assertThat(monitoring.get("/fhir/Measure/ks-preterm/$evaluate-measure?" + PERIOD + "&region=GM0363").status())
			.isEqualTo(400);
		assertThat(monitoring
			.get("/fhir/Measure/ks-preterm/$evaluate-measure?" + PERIOD + "&region=" + region + "&municipality="
					+ municipality)
			.status()).isEqualTo(400);
	}

	@Test
	void theYearDownloadHoldsEveryIndicatorPeriodAndStratumAsTheSingleTablesDo() {
		FhirHttp.Response r = monitoring.get("/monitoring/api/year/2024.csv");
		assertThat(r.status()).isEqualTo(200);
		assertThat(r.header("Content-Type")).startsWith("text/csv");
		assertThat(r.header("Content-Disposition")).contains("kansrijke-start-2024.csv");
		List<String> lines = List.of(r.body().split("\n"));
		assertThat(lines.get(0))
			.isEqualTo("measure,period_start,period_end,level,code,name,numerator,denominator,score");
		// The publication grid: the country each month, regions each quarter too,
		// municipalities the year only.
		List<String> quarter = List
			.of(monitoring.get("/monitoring/api/ks-smoking.csv?periodStart=2024-04&periodEnd=2024-06")
				.body()
				.split("\n"));
		List<String> whole = List.of(monitoring.get("/monitoring/api/ks-smoking.csv?" + PERIOD).body().split("\n"));
		List<String> month = List
			.of(monitoring.get("/monitoring/api/ks-smoking.csv?periodStart=2024-05&periodEnd=2024-05")
				.body()
				.split("\n"));
		assertThat(month).hasSize(2);
		assertThat(quarter.size()).isLessThan(whole.size());
		assertThat(lines).hasSize(1 + 12 * (12 + 4 * (quarter.size() - 1) + whole.size() - 1));
		List<String> rows = new ArrayList<>(quarter.subList(1, quarter.size()));
		rows.addAll(whole.subList(1, whole.size()));
		rows.addAll(month.subList(1, month.size()));
		for (String line : rows) {
			// The same row without the three national columns at its end.
			String row = line;
			for (int i = 0; i < 3; i++) {
				row = row.substring(0, row.lastIndexOf(','));
			}
			assertThat(lines).contains(row);
		}
		assertThat(http.get("/monitoring/api/year/2024.csv").status()).as("a submitter").isEqualTo(403);
	}

	@Test
	void theTrendGivesEachYearsFigureBesideTheNationalOne() throws Exception {
		String municipality = births(counted).get(0).municipality();
		FhirHttp.Response r = monitoring.get("/monitoring/api/ks-smoking/trend?code=" + municipality);
		assertThat(r.status()).as(r.body()).isEqualTo(200);
		var points = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
		assertThat(points.size()).isPositive();
		for (var point : points) {
			int year = point.get("year").asInt();
			MeasureReport report = monitoring
				.get("/fhir/Measure/ks-smoking/$evaluate-measure?periodStart=" + year + "-01&periodEnd=" + year
						+ "-12&municipality=" + municipality)
				.as(MeasureReport.class);
			var national = report.getGroupFirstRep().getMeasureScore();
			assertThat(point.get("nationalScore").isNull()).isEqualTo(!national.hasValue());
			if (national.hasValue()) {
				assertThat(point.get("nationalScore").asDouble()).isEqualTo(national.getValue().doubleValue());
			}
			var stratum = report.getGroupFirstRep()
				.getStratifierFirstRep()
				.getStratum()
				.stream()
				.filter(s -> s.getValue().getCodingFirstRep().getCode().equals(municipality))
				.findFirst();
			if (stratum.isPresent()) {
				var denominator = stratum.get()
					.getPopulation()
					.stream()
					.filter(p -> p.getCode().getCodingFirstRep().getCode().equals("denominator"))
					.findFirst()
					.orElseThrow()
					.getCountElement();
				assertThat(point.get("denominator").isNull()).isEqualTo(denominator.getValue() == null);
				if (denominator.getValue() != null) {
					assertThat(point.get("denominator").asLong()).isEqualTo(denominator.getValue().longValue());
				}
			}
		}
		assertThat(monitoring.get("/monitoring/api/ks-smoking/trend?code=XX12").status()).isEqualTo(400);
		assertThat(monitoring.get("/monitoring/api/ks-smoking/trend?code=GM9999").status()).isEqualTo(404);
		assertThat(monitoring.get("/monitoring/api/no-such/trend").status()).isEqualTo(404);
	}

	@Test
	void badPeriodsAreRefusedAndOnlyMonitoringReadersEvaluate() {
		assertThat(monitoring.get("/fhir/Measure/ks-big2/$evaluate-measure?periodStart=2024-13&periodEnd=2024-12")
			.status()).isEqualTo(400);
		assertThat(monitoring.get("/fhir/Measure/ks-big2/$evaluate-measure?periodStart=2025-01&periodEnd=2024-12")
			.status()).isEqualTo(400);
		assertThat(monitoring.get("/fhir/Measure/ks-big2/$evaluate-measure?periodStart=2024-02&periodEnd=2024-04")
			.status()).isEqualTo(400);
		FhirHttp.Response quarter = monitoring
			.get("/fhir/Measure/ks-big2/$evaluate-measure?periodStart=2024-04&periodEnd=2024-06");
		assertThat(quarter.status()).isEqualTo(200);
		// Off the publication grid a level has no strata: municipalities per year only,
		// regions per quarter and year.
		var group = quarter.as(MeasureReport.class).getGroupFirstRep();
		assertThat(group.getStratifier().get(0).getStratum()).isEmpty();
		assertThat(group.getStratifier().get(1).getStratum()).isNotEmpty();
		var month = monitoring.get("/fhir/Measure/ks-big2/$evaluate-measure?periodStart=2024-05&periodEnd=2024-05")
			.as(MeasureReport.class);
		assertThat(month.getGroupFirstRep().getStratifier()).allSatisfy(st -> assertThat(st.getStratum()).isEmpty());
		String municipality = births(counted).get(0).municipality();
		String region = municipalities.region(municipality);
		FhirHttp.Response refused = monitoring
			.get("/fhir/Measure/ks-big2/$evaluate-measure?periodStart=2024-04&periodEnd=2024-06&municipality="
					+ municipality);
		assertThat(refused.status()).isEqualTo(400);
		assertThat(refused.body()).contains("OperationOutcome", "per calendar year only");
		assertThat(monitoring
			.get("/fhir/Measure/ks-big2/$evaluate-measure?periodStart=2024-05&periodEnd=2024-05&region=" + region)
			.status()).isEqualTo(400);
		assertThat(monitoring
			.get("/fhir/Measure/ks-big2/$evaluate-measure?periodStart=2024-04&periodEnd=2024-06&region=" + region)
			.status()).isEqualTo(200);
		assertThat(monitoring.get("/fhir/Measure/ks-big2/$evaluate-measure").status()).isEqualTo(400);
		assertThat(monitoring.get("/fhir/Measure/no-such/$evaluate-measure?" + PERIOD).status()).isEqualTo(404);
		assertThat(http.get("/fhir/Measure/ks-big2/$evaluate-measure?" + PERIOD).status()).isEqualTo(403);
		Bundle all = monitoring.get("/fhir/Measure/$evaluate-measure?" + PERIOD).as(Bundle.class);
		assertThat(all.getEntry()).hasSize(12);
	}

	private long handoverPermitDenominator() {
		return report("ks-handover-permit").getGroupFirstRep()
			.getPopulation()
			.stream()
			.filter(p -> p.getCode().getCodingFirstRep().getCode().equals("denominator"))
			.findFirst()
			.orElseThrow()
			.getCount();
	}

	@Test
	void aWithdrawalLeavesThePersonOutOfTheNextResult() {
		// All births, a count that the year's few other counts rarely pin down.
		long before = handoverPermitDenominator();
		PregnancyGenerator.Truth withdrawn = inYear(counted).get(0);
		Family family = families.stream()
			.filter(f -> f.motherBsn().equals(withdrawn.motherBsn()))
			.findFirst()
			.orElseThrow();
		FhirHttp.Response r = http.submit("/fhir/Consent",
				FhirHttp.json(Consents.simple("withdrawal", new Reference("Patient/" + family.motherId()),
						"2024-12-01T10:00:00+01:00", false, Purpose.MONITORING)));
		assertThat(r.status()).isEqualTo(201);
		awaitFacts();
		counted.remove(withdrawn);
		notCounted.add(withdrawn);
		long after = handoverPermitDenominator();
		assertThat(after).isEqualTo(before - withdrawn.children().size());
	}

	/**
	 * Debian's chromium, headless, signed in to the dashboard as the demo monitoring
	 * user: through the local issuer's sign-in form and back with an authorization code
	 * (PKCE).
	 */
	private WebDriver signedInBrowser() {
		Path chromium = Path.of("/usr/bin/chromium");
		Path chromedriver = Path.of("/usr/bin/chromedriver");
		assumeTrue(Files.isExecutable(chromium) && Files.isExecutable(chromedriver),
				"Debian's chromium and chromium-driver are needed (.ci/run installs them)");
		ChromeOptions options = new ChromeOptions();
		options.setBinary(chromium.toString());
		options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--window-size=1280,1800");
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile())
			.usingAnyFreePort()
			.build();
		WebDriver driver = new ChromeDriver(service, options);
		driver.get("http://localhost:" + port + "/monitoring/");
		assertThat(driver.getPageSource()).doesNotContainIgnoringCase("secret");
		driver.findElement(By.id("sign-in")).click();
		WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
		wait.until(ExpectedConditions.urlContains("/login"));
		driver.findElement(By.id("username")).sendKeys("monitoring-user");
		driver.findElement(By.id("password")).sendKeys("monitoring-user-password");
		driver.findElement(By.cssSelector("button[type=submit]")).click();
		wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("controls")));
		assertThat(driver.findElement(By.id("sign-in-status")).getText()).isEqualTo("Signed in as monitoring-user");
		assertThat(driver.getCurrentUrl()).as("the code is gone from the address").doesNotContain("code=");
		return driver;
	}

	/**
	 * Shows {measure, first month, last month, year, period choice} in the dashboard;
	 * returns the API's report of it.
	 */
	private MeasureReport show(WebDriver driver, WebDriverWait wait, String... choice) {
		new Select(driver.findElement(By.id("indicator"))).selectByValue(choice[0]);
		setValue(driver, "year", choice[3]);
		new Select(driver.findElement(By.id("period"))).selectByValue(choice[4]);
		driver.findElement(By.id("show")).click();
		wait.until(d -> d.findElement(By.id("title"))
			.getText()
			.startsWith(((Measure) monitoring.get("/fhir/Measure/" + choice[0]).as(Measure.class)).getTitle() + ", "
					+ choice[1]));
		return monitoring
			.get("/fhir/Measure/" + choice[0] + "/$evaluate-measure?periodStart=" + choice[1] + "&periodEnd="
					+ choice[2])
			.as(MeasureReport.class);
	}

	@Test
	void theDashboardShowsWhatTheApiSays() throws Exception {
		WebDriver driver = signedInBrowser();
		try {
			WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
			for (String[] choice : List.of(new String[] { "ks-preterm", "2024-01", "2024-12", "2024", "year" },
					new String[] { "ks-smoking", "2025-04", "2025-06", "2025", "Q2" })) {
				MeasureReport api = show(driver, wait, choice);
				var strata = api.getGroupFirstRep().getStratifierFirstRep().getStratum();
				List<WebElement> rows = driver.findElements(By.cssSelector("#cells tbody tr"));
				assertThat(rows).hasSameSizeAs(strata);
				List<WebElement> bars = driver.findElements(By.cssSelector("#bars rect.bar"));
				assertThat(bars).hasSameSizeAs(strata);
				for (int i = 0; i < strata.size(); i++) {
					var stratum = strata.get(i);
					String municipality = stratum.getValue().getCodingFirstRep().getCode();
					assertThat(rows.get(i).getAttribute("data-municipality")).isEqualTo(municipality);
					assertThat(rows.get(i).findElement(By.cssSelector("td.name")).getText())
						.isEqualTo(municipalities.name(municipality));
					for (String code : List.of("numerator", "denominator")) {
						var count = stratum.getPopulation()
							.stream()
							.filter(p -> p.getCode().getCodingFirstRep().getCode().equals(code))
							.findFirst()
							.orElseThrow()
							.getCountElement();
						String cell = rows.get(i).findElement(By.cssSelector("td." + code)).getText();
						assertThat(cell).as(choice[0] + " " + municipality + " " + code)
							.isEqualTo(count.getValue() == null ? "suppressed" : count.getValue().toString());
					}
					var absent = stratum.getMeasureScore().getExtensionByUrl(Indicators.DATA_ABSENT);
					boolean masked = absent != null && absent.getValue().primitiveValue().equals("masked");
					assertThat(bars.get(i).getAttribute("class").contains("suppressed")).as(municipality + " bar")
						.isEqualTo(masked);
					String score = rows.get(i).findElement(By.cssSelector("td.score")).getText();
					assertThat(score.equals("suppressed")).as(municipality + " score").isEqualTo(masked);
					if (stratum.getMeasureScore().hasValue()) {
						assertThat(Double.parseDouble(bars.get(i).getAttribute("data-value")))
							.isEqualTo(stratum.getMeasureScore().getValue().doubleValue());
					}
				}
				var regions = api.getGroupFirstRep().getStratifier().get(1).getStratum();
				List<WebElement> regionRows = driver.findElements(By.cssSelector("#regions tbody tr"));
				assertThat(regionRows).hasSameSizeAs(regions);
				for (int i = 0; i < regions.size(); i++) {
					var coding = regions.get(i).getValue().getCodingFirstRep();
					assertThat(regionRows.get(i).getAttribute("data-region")).isEqualTo(coding.getCode());
					assertThat(regionRows.get(i).findElement(By.cssSelector("td.name")).getText())
						.isEqualTo(coding.getDisplay());
					var denominator = regions.get(i)
						.getPopulation()
						.stream()
						.filter(p -> p.getCode()
							.getCodingFirstRep()
							.getCode()
							.matches("denominator|measure-population"))
						.findFirst()
						.orElseThrow()
						.getCountElement();
					assertThat(regionRows.get(i).findElement(By.cssSelector("td.denominator")).getText())
						.isEqualTo(denominator.getValue() == null ? "suppressed" : denominator.getValue().toString());
				}
				for (String level : List.of("municipalities", "regions")) {
					new Select(driver.findElement(By.id("map-level"))).selectByValue(level);
					assertTheMapShows(driver, wait, api, level);
				}
				var national = api.getGroupFirstRep().getMeasureScore();
				List<WebElement> line = driver.findElements(By.id("national-line"));
				if (national.hasValue()) {
					assertThat(Double.parseDouble(line.get(0).getAttribute("data-value")))
						.isEqualTo(national.getValue().doubleValue());
				}
				else {
					assertThat(line).as("no reference line for a suppressed national value").isEmpty();
					assertThat(driver.findElement(By.id("summary")).getText()).contains("National: suppressed");
				}
			}

			// The quarterly trend of the first region, against the API.
			String region = new Select(driver.findElement(By.id("trend-municipality"))).getFirstSelectedOption()
				.getText();
			assertThat(region).startsWith("GG");
			wait.until(
					d -> String.valueOf(d.findElement(By.id("trend")).getAttribute("data-points")).contains("\"2025-"));
			var points = new com.fasterxml.jackson.databind.ObjectMapper()
				.readTree(driver.findElement(By.id("trend")).getAttribute("data-points"));
			assertThat(points).hasSize(4);
			for (var point : points) {
				String first = point.get("quarter").asText();
				assertThat(first).startsWith("2025-");
				String last = ReportingPeriod.of(2025, 12 + (Integer.parseInt(first.substring(5)) - 1) / 3)
					.to()
					.toString();
				MeasureReport quarterly = monitoring
					.get("/fhir/Measure/ks-smoking/$evaluate-measure?periodStart=" + first + "&periodEnd=" + last
							+ "&region=" + region)
					.as(MeasureReport.class);
				var national = quarterly.getGroupFirstRep().getMeasureScore();
				assertThat(point.get("national").isNull()).isEqualTo(!national.hasValue());
				if (national.hasValue()) {
					assertThat(point.get("national").asDouble()).isEqualTo(national.getValue().doubleValue());
				}
				var score = quarterly.getGroupFirstRep().getStratifier().get(1).getStratumFirstRep().getMeasureScore();
				assertThat(point.get("municipality").isNull()).isEqualTo(!score.hasValue());
				if (score.hasValue()) {
					assertThat(point.get("municipality").asDouble()).isEqualTo(score.getValue().doubleValue());
				}
			}
			// The years side by side for the same region, against the trend API.
			wait.until(d -> d.findElement(By.id("year-trend")).getAttribute("data-points") != null);
			var years = new com.fasterxml.jackson.databind.ObjectMapper()
				.readTree(driver.findElement(By.id("year-trend")).getAttribute("data-points"));
			var api = new com.fasterxml.jackson.databind.ObjectMapper()
				.readTree(monitoring.get("/monitoring/api/ks-smoking/trend?code=" + region).body());
			assertThat(years).hasSameSizeAs(api);
			for (int i = 0; i < api.size(); i++) {
				assertThat(years.get(i).get("year").asInt()).isEqualTo(api.get(i).get("year").asInt());
				for (String[] pair : new String[][] { { "municipality", "score" }, { "national", "nationalScore" } }) {
					var shown = years.get(i).get(pair[0]);
					var given = api.get(i).get(pair[1]);
					assertThat(shown.isNull()).as(pair[0] + " suppressed").isEqualTo(given.isNull());
					if (!given.isNull()) {
						assertThat(shown.asDouble()).as(pair[0]).isEqualTo(given.asDouble());
					}
				}
			}
			// A quarter has regions only to follow; a year has municipalities too.
			assertThat(new Select(driver.findElement(By.id("trend-municipality"))).getOptions())
				.allMatch(o -> o.getText().startsWith("GG"));
			show(driver, wait, "ks-smoking", "2025-01", "2025-12", "2025", "year");
			List<String> choices = new Select(driver.findElement(By.id("trend-municipality"))).getOptions()
				.stream()
				.map(WebElement::getText)
				.toList();
			assertThat(choices).as("municipalities and regions to follow")
				.anyMatch(c -> c.startsWith("GG"))
				.anyMatch(c -> c.startsWith("GM"));
			Files.write(Path.of("target", "dashboard.png"),
					((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));

			// Without its geometry the map says so, and the page stays usable.
			((org.openqa.selenium.JavascriptExecutor) driver)
				.executeScript("delete geometry.regions; delete geometry.municipalities;"
						+ " const real = window.fetch; window.fetch = (url, o) => String(url).includes('/map/') ? Promise.reject(new Error('offline'))"
						+ " : real(url, o);");
			Select level = new Select(driver.findElement(By.id("map-level")));
			level.selectByValue(level.getFirstSelectedOption().getAttribute("value").equals("regions")
					? "municipalities" : "regions");
			wait.until(
					d -> d.findElement(By.id("map-national")).getText().startsWith("Could not load the map: offline"));
			assertThat(driver.findElements(By.cssSelector("#cells tbody tr"))).isNotEmpty();
		}
		finally {
			driver.quit();
		}
	}

	/**
	 * The map of a country-sized year (synthetic facts in 2019, as the monitoring
	 * benchmark makes them, 342 municipalities sized very unevenly): most areas have a
	 * published score in a colour class, small ones are hatched.
	 */
	@Test
	void theMapShowsTheCountryAsTheApiDoes() throws Exception {
		String[] country = new String(
				new org.springframework.core.io.ClassPathResource("mappings/jgz-routing.csv").getInputStream()
					.readAllBytes(),
				java.nio.charset.StandardCharsets.UTF_8)
			.lines()
			.filter(l -> l.startsWith("GM"))
			.map(l -> l.split(",")[0])
			.sorted()
			.toArray(String[]::new);
		assertThat(country).hasSize(342);
		jdbc.update(
				"insert into monitoring_birth (record_key, birth_key, municipality, vsv, month, ga_days, weight_g, percentile, live,"
						+ " handover_permit, monitoring_permitted) select 'map-b-' || g, 'map-b-' || g,"
						+ " (?::text[])[least(342, 1 + floor(342 * power(random(), 2))::int)], 'map',"
						+ " date '2019-01-01' + (g % 12) * interval '1 month', (200 + random() * 94)::int, (1500 + random() * 3000)::int,"
						+ " (random() * 100)::int, true, true, true from generate_series(1, 40000) g",
				(Object) country);
		jdbc.execute("select monitoring_refresh_all_cells()");
		WebDriver driver = signedInBrowser();
		try {
			WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
			MeasureReport api = show(driver, wait, "ks-preterm", "2019-01", "2019-12", "2019", "year");
			assertThat(assertTheMapShows(driver, wait, api, "municipalities")).as("municipalities in a colour class")
				.isGreaterThan(100);
			assertThat(driver.findElements(By.cssSelector("#map-legend li[data-from]"))).hasSize(5);
			Files.write(Path.of("target", "dashboard-map.png"),
					((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
			new Select(driver.findElement(By.id("map-level"))).selectByValue("regions");
			assertThat(assertTheMapShows(driver, wait, api, "regions")).as("regions in a colour class").isPositive();
		}
		finally {
			driver.quit();
			jdbc.update("delete from monitoring_birth where record_key like 'map-b-%'");
			jdbc.execute("select monitoring_refresh_all_cells()");
		}
	}

	/**
	 * The map against the API: every area of the level is drawn; a published score lies
	 * in its class's legend range and is filled with that class's colour, the hatched
	 * areas are exactly the suppressed ones, and hovering shows the figures or
	 * "suppressed". Returns how many areas with a published score it checked.
	 */
	private static int assertTheMapShows(WebDriver driver, WebDriverWait wait, MeasureReport api, String level)
			throws Exception {
		String title = driver.findElement(By.id("title")).getText();
		wait.until(d -> (title + " / " + level).equals(d.findElement(By.id("map")).getAttribute("data-shows")));
		var areas = new com.fasterxml.jackson.databind.ObjectMapper()
			.readTree(driver.findElement(By.id("map")).getAttribute("data-areas"));
		assertThat(areas.size()).isEqualTo(level.equals("regions") ? 25 : 342);
		Map<String, WebElement> legend = new HashMap<>();
		double previousTo = Double.NEGATIVE_INFINITY;
		for (WebElement item : driver.findElements(By.cssSelector("#map-legend li"))) {
			legend.put(item.getAttribute("data-class"), item);
			if (item.getAttribute("data-from") != null) {
				assertThat(Double.parseDouble(item.getAttribute("data-from"))).as("classes ascend without overlap")
					.isGreaterThan(previousTo);
				previousTo = Double.parseDouble(item.getAttribute("data-to"));
			}
		}
		var strata = api.getGroupFirstRep().getStratifier().get(level.equals("regions") ? 1 : 0).getStratum();
		Set<String> masked = new HashSet<>();
		Set<String> reported = new HashSet<>();
		String maskedCode = null;
		MeasureReport.StratifierGroupComponent published = null;
		int coloured = 0;
		for (var stratum : strata) {
			String code = stratum.getValue().getCodingFirstRep().getCode();
			reported.add(code);
			String mapClass = areas.get(code).asText();
			var absent = stratum.getMeasureScore().getExtensionByUrl(Indicators.DATA_ABSENT);
			if (absent != null && absent.getValue().primitiveValue().equals("masked")) {
				masked.add(code);
				maskedCode = code;
			}
			else if (stratum.getMeasureScore().hasValue()) {
				double score = stratum.getMeasureScore().getValue().doubleValue();
				WebElement item = legend.get(mapClass);
				assertThat(item).as(code + " in a class").isNotNull();
				assertThat(score).as(code + " within its class")
					.isBetween(Double.parseDouble(item.getAttribute("data-from")),
							Double.parseDouble(item.getAttribute("data-to")));
				published = stratum;
				coloured++;
			}
			else {
				assertThat(mapClass).as(code + ": nobody to count").isEqualTo("none");
			}
		}
		Set<String> hatched = new HashSet<>();
		areas.fields().forEachRemaining(e -> {
			if (e.getValue().asText().equals("suppressed")) {
				hatched.add(e.getKey());
			}
			if (!reported.contains(e.getKey())) {
				assertThat(e.getValue().asText()).as(e.getKey() + " has no data").isEqualTo("none");
			}
		});
		assertThat(hatched).as("hatched areas are the suppressed ones").isEqualTo(masked);
		// What the chart library was given to draw, and what it drew.
		JavascriptExecutor js = (JavascriptExecutor) driver;
		@SuppressWarnings("unchecked")
		List<List<Object>> drawn = (List<List<Object>>) js
			.executeScript("return echarts.getInstanceByDom(document.getElementById('map'))"
					+ ".getOption().series[0].data.map(d => [d.name, d.itemStyle.areaColor, !!d.itemStyle.decal])");
		assertThat(drawn).hasSize(areas.size());
		for (List<Object> area : drawn) {
			String mapClass = areas.get((String) area.get(0)).asText();
			assertThat(area.get(2)).as(area.get(0) + " hatched").isEqualTo(mapClass.equals("suppressed"));
			if (mapClass.matches("[0-9]")) {
				assertThat(area.get(1)).as(area.get(0) + " colour")
					.isEqualTo(legend.get(mapClass).getAttribute("data-colour"));
			}
		}
		assertThat(driver.findElements(By.cssSelector("#map svg path")).size()).isGreaterThanOrEqualTo(areas.size());
		if (maskedCode != null) {
			assertThat(hover(driver, wait, maskedCode)).contains("suppressed").doesNotContain("numerator");
		}
		if (published != null) {
			String code = published.getValue().getCodingFirstRep().getCode();
			String denominator = published.getPopulation()
				.stream()
				.filter(p -> p.getCode().getCodingFirstRep().getCode().equals("denominator"))
				.findFirst()
				.orElseThrow()
				.getCountElement()
				.getValueAsString();
			assertThat(hover(driver, wait, code)).contains(published.getValue().getCodingFirstRep().getDisplay(),
					"denominator " + denominator);
		}
		return coloured;
	}

	private static String hover(WebDriver driver, WebDriverWait wait, String code) {
		((JavascriptExecutor) driver).executeScript("echarts.getInstanceByDom(document.getElementById('map'))"
				+ ".dispatchAction({ type: 'showTip', seriesIndex: 0, name: arguments[0] })", code);
		return wait.until(d -> d.findElements(By.cssSelector(".map-tip"))
			.stream()
			.map(WebElement::getText)
			.filter(t -> t.contains("(" + code + ")"))
			.findFirst()
			.orElse(null));
	}

	private static void setValue(WebDriver driver, String id, String value) {
		((JavascriptExecutor) driver).executeScript("arguments[0].value = arguments[1]", driver.findElement(By.id(id)),
				value);
	}

}
