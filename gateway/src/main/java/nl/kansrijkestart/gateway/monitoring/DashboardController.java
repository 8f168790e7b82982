package nl.kansrijkestart.gateway.monitoring;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/** {@code /monitoring/}: the dashboard page (static, in classpath:static/monitoring/). */
@Controller
class DashboardController {

	@GetMapping("/monitoring")
	String slash() {
		return "redirect:/monitoring/";
	}

	@GetMapping("/monitoring/")
	String dashboard() {
		return "forward:/monitoring/index.html";
	}

}
