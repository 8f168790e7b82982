package nl.kansrijkestart.gateway.monitoring;

import java.time.Duration;
import java.util.Locale;

import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Downloads for monitoring readers (like the rest of /monitoring/):
 * {@code /monitoring/api/{measure}.csv?periodStart= YYYY-MM&periodEnd=YYYY-MM} one
 * indicator's table, {@code /monitoring/api/year/{yyyy}.csv} every indicator of a year,
 * {@code /monitoring/api/{measure}/trend?code=} an indicator's year figures over the
 * years, {@code /monitoring/api/map/{municipalities,regions}.geojson} the map's areas.
 */
@RestController
class MonitoringCsvController {

	private static final MediaType CSV = new MediaType("text", "csv", java.nio.charset.StandardCharsets.UTF_8);

	private static final MediaType GEO_JSON = new MediaType("application", "geo+json");

	private final Indicators indicators;

	private final MapGeometry map;

	MonitoringCsvController(Indicators indicators, MapGeometry map) {
		this.indicators = indicators;
		this.map = map;
	}

	@GetMapping("/monitoring/api/map/{level:municipalities|regions}.geojson")
	ResponseEntity<byte[]> map(@PathVariable String level) {
		return ResponseEntity.ok()
			.contentType(GEO_JSON)
			.cacheControl(CacheControl.maxAge(Duration.ofDays(1)).cachePrivate())
			.body(map.geoJson(MapGeometry.Level.valueOf(level.toUpperCase(Locale.ROOT))));
	}

	/** Every indicator of a year, every period and stratum, in one file. */
	@GetMapping("/monitoring/api/year/{year:[0-9]{4}}.csv")
	ResponseEntity<String> year(@PathVariable int year) {
		return ResponseEntity.ok()
			.contentType(CSV)
			.header("Content-Disposition", "attachment; filename=\"kansrijke-start-" + year + ".csv\"")
			.body(indicators.yearCsv(year));
	}

	/**
	 * An indicator's year figures for a municipality or region ({@code code}; none: the
	 * country), over the years with data.
	 */
	@GetMapping("/monitoring/api/{measure}/trend")
	ResponseEntity<?> trend(@PathVariable String measure, @RequestParam(required = false) String code) {
		if (code != null && !code.matches("G[MG][0-9]{4}")) {
			return ResponseEntity.badRequest()
				.contentType(MediaType.TEXT_PLAIN)
				.body("code is a municipality (GMnnnn) or GGD region (GGnnnn)\n");
		}
		return indicators.trend(measure, code)
			.<ResponseEntity<?>>map(ResponseEntity::ok)
			.orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_FOUND)
				.contentType(MediaType.TEXT_PLAIN)
				.body("No indicator " + measure + " (see GET /fhir/Measure) or no municipality or region " + code
						+ "\n"));
	}

	@GetMapping("/monitoring/api/{measure}.csv")
	ResponseEntity<String> csv(@PathVariable String measure, @RequestParam(required = false) String periodStart,
			@RequestParam(required = false) String periodEnd) {
		ReportingPeriod period;
		try {
			period = ReportingPeriod.parse(periodStart, periodEnd);
		}
		catch (IllegalArgumentException e) {
			return ResponseEntity.badRequest().contentType(MediaType.TEXT_PLAIN).body(e.getMessage() + "\n");
		}
		return indicators.csv(measure, period)
			.map(body -> ResponseEntity.ok()
				.contentType(CSV)
				.header("Content-Disposition",
						"attachment; filename=\"" + measure + "_" + period.from() + "_" + period.to() + ".csv\"")
				.body(body))
			.orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_FOUND)
				.contentType(MediaType.TEXT_PLAIN)
				.body("No indicator " + measure + "; see GET /fhir/Measure\n"));
	}

}
