package nl.kansrijkestart.tools;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.Map;

/**
 * Indicator speed at national scale. Fills the gateway's monitoring fact tables directly
 * with synthetic facts (benchmark only: rows keyed {@code bench-*}, removed afterwards
 * unless --keep), then times through the API: all indicators for all municipalities and
 * regions for one year, one indicator for one municipality and for one region, and the
 * year's whole table as CSV.
 */
final class MonitoringBench {

	private MonitoringBench() {
	}

	static void run(Map<String, String> options) throws Exception {
		String url = options.getOrDefault("url", "http://localhost:8080/fhir");
		String jdbc = options.getOrDefault("jdbc", "jdbc:postgresql://127.0.0.1:54329/postgres");
		Path credentials = Path.of(options.getOrDefault("credentials", "data/postgres.credentials"));
		int perYear = Integer.parseInt(options.getOrDefault("births-per-year", "170000"));
		int years = Integer.parseInt(options.getOrDefault("years", "5"));
		int runs = Integer.parseInt(options.getOrDefault("runs", "20"));
		boolean keep = Boolean.parseBoolean(options.getOrDefault("keep", "false"));
		int total = perYear * years;
		// municipality code and GGD region, from the routing table
		List<String[]> municipalities = Files
			.readAllLines(Path.of(options.getOrDefault("routing", "mappings/jgz-routing.csv")))
			.stream()
			.filter(l -> l.startsWith("GM"))
			.map(l -> l.split(",", -1))
			.map(f -> new String[] { f[0], f[f.length - 1] })
			.toList();
		int firstYear = 2020;
		try (Connection db = EmbeddedLogin.connect(jdbc, credentials); Statement st = db.createStatement()) {
			long t = System.nanoTime();
			st.execute("delete from monitoring_birth where record_key like 'bench-%'");
			st.execute("delete from monitoring_pregnancy where record_key like 'bench-%'");
			// The 342 municipalities of 2025 (so that the 25 GGD regions are real), sized
			// very unevenly; months evenly.
			String municipality = "(array["
					+ municipalities.stream().map(m -> "'" + m[0] + "'").collect(Collectors.joining(",")) + "])[least("
					+ municipalities.size() + ", 1 + floor(" + municipalities.size() + " * power(random(), 2))::int)]";
			String month = "date '" + firstYear + "-01-01' + ((g % " + (12 * years) + ") * interval '1 month')";
			st.execute(
					"insert into monitoring_birth (record_key, birth_key, municipality, vsv, month, ga_days, weight_g, percentile, live,"
							+ " death_day, breastfed, handover_permit, prenatal_handover_ga_days, acknowledged_days, monitoring_permitted)"
							+ " select 'bench-b-' || g, 'bench-b-' || g, " + municipality + ", 'bench', " + month
							+ ", (200 + random() * 94)::int,"
							+ " (1500 + random() * 3000)::int, (random() * 100)::int, random() > 0.004,"
							+ " case when random() < 0.003 then (random() * 28)::int end, random() < 0.75, random() < 0.7, (random() * 280)::int,"
							+ " (random() * 30)::int, random() < 0.9 from generate_series(1, " + total + ") g");
			st.execute(
					"insert into monitoring_pregnancy (unit_key, record_key, person_key, municipality, vsv, month, first_visit_ga_days, smoking,"
							+ " monitoring_permitted) select 'bench-p-' || g, 'bench-p-' || g, 'bench-p-' || g, "
							+ municipality + ", 'bench', " + month + ","
							+ " (40 + random() * 100)::int, random() < 0.06, random() < 0.9 from generate_series(1, "
							+ total + ") g");
			st.execute("analyze monitoring_birth");
			st.execute("analyze monitoring_pregnancy");
			// What the gateway keeps up to date per refresh, rebuilt here after the bulk
			// load.
			st.execute("select monitoring_refresh_all_cells()");
			System.out.printf("Inserted %d births and %d pregnancies (%d a year, %d years) in %.1f s%n", total, total,
					perYear, years, (System.nanoTime() - t) / 1e9);
		}
		HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
		AccessToken token = new AccessToken(client, url.replaceFirst("/fhir/?$", "") + "/oauth2/token",
				"monitoring-demo", "monitoring-demo-secret");
		String year = "periodStart=" + (firstYear + years - 1) + "-01&periodEnd=" + (firstYear + years - 1) + "-12";
		time(client, token, "all indicators, all municipalities, one year", url + "/Measure/$evaluate-measure?" + year,
				runs);
		time(client, token, "one indicator (Big2), one municipality, one year",
				url + "/Measure/ks-big2/$evaluate-measure?" + year + "&municipality=" + municipalities.get(0)[0], runs);
		time(client, token, "one indicator (Big2), one GGD region, one year",
				url + "/Measure/ks-big2/$evaluate-measure?" + year + "&region=" + municipalities.get(0)[1], runs);
		time(client, token, "every indicator, period and stratum of one year (CSV)",
				url.replaceFirst("/fhir/?$", "") + "/monitoring/api/year/" + (firstYear + years - 1) + ".csv", runs);
		if (!keep) {
			try (Connection db = EmbeddedLogin.connect(jdbc, credentials); Statement st = db.createStatement()) {
				st.execute("delete from monitoring_birth where record_key like 'bench-%'");
				st.execute("delete from monitoring_pregnancy where record_key like 'bench-%'");
				st.execute("select monitoring_refresh_all_cells()");
			}
		}
	}

	private static void time(HttpClient client, AccessToken token, String what, String url, int runs) throws Exception {
		long[] nanos = new long[runs];
		for (int i = -3; i < runs; i++) {
			long t = System.nanoTime();
			HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url))
				.header("Authorization", "Bearer " + token.get())
				.header("Accept", "application/fhir+json, text/csv")
				.GET()
				.build(), HttpResponse.BodyHandlers.ofString());
			if (r.statusCode() != 200) {
				throw new IllegalStateException(what + ": " + r.statusCode() + " " + r.body());
			}
			if (i >= 0) {
				nanos[i] = System.nanoTime() - t;
			}
		}
		Arrays.sort(nanos);
		System.out.printf("%s: p50 %.0f ms | p95 %.0f ms | max %.0f ms (%d runs after 3 warm-up)%n", what,
				nanos[runs / 2] / 1e6, nanos[(int) Math.ceil(runs * 0.95) - 1] / 1e6, nanos[runs - 1] / 1e6, runs);
	}

}
