package nl.kansrijkestart.gateway.monitoring;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /monitoring/api/{measure}.csv?periodStart=YYYY-MM&periodEnd=YYYY-MM}: an indicator's table for download
 * (monitoring readers only, like the rest of /monitoring/).
 */
@RestController
class MonitoringCsvController {

	private static final MediaType CSV = new MediaType("text", "csv", java.nio.charset.StandardCharsets.UTF_8);

	private final Indicators indicators;

	MonitoringCsvController(Indicators indicators) {
		this.indicators = indicators;
	}

	@GetMapping("/monitoring/api/{measure}.csv")
	ResponseEntity<String> csv(@PathVariable String measure, @RequestParam(required = false) String periodStart,
			@RequestParam(required = false) String periodEnd) {
		ReportingPeriod period;
		try {
			period = ReportingPeriod.parse(periodStart, periodEnd);
		} catch (IllegalArgumentException e) {
			return ResponseEntity.badRequest().contentType(MediaType.TEXT_PLAIN).body(e.getMessage() + "\n");
		}
		return indicators.csv(measure, period)
				.map(body -> ResponseEntity.ok().contentType(CSV)
						.header("Content-Disposition", "attachment; filename=\"" + measure + "_" + period.from() + "_" + period.to() + ".csv\"")
						.body(body))
				.orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_FOUND).contentType(MediaType.TEXT_PLAIN)
						.body("No indicator " + measure + "; see GET /fhir/Measure\n"));
	}
}
