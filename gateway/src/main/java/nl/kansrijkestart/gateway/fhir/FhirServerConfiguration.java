package nl.kansrijkestart.gateway.fhir;

import ca.uhn.fhir.context.FhirContext;
import jakarta.servlet.DispatcherType;
import java.util.List;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Mounts the HAPI FHIR {@code RestfulServer} at /fhir, behind Spring Security and the
 * request guard.
 */
@Configuration(proxyBeanMethods = false)
public class FhirServerConfiguration {

	@Bean
	FhirContext fhirContext() {
		return FhirContext.forR4Cached();
	}

	@Bean
	ServletRegistrationBean<GatewayRestfulServer> fhirServlet(GatewayRestfulServer server) {
		ServletRegistrationBean<GatewayRestfulServer> registration = new ServletRegistrationBean<>(server, "/fhir/*");
		registration.setName("fhir");
		registration.setLoadOnStartup(1);
		return registration;
	}

	@Bean
	FilterRegistrationBean<RequestGuardFilter> fhirRequestGuard(FhirProperties properties) {
		FilterRegistrationBean<RequestGuardFilter> registration = new FilterRegistrationBean<>(
				new RequestGuardFilter(properties));
		registration.setUrlPatterns(List.of("/fhir/*", "/inbound/kernset"));
		// Bodies are read asynchronously; the request then comes back as an ASYNC
		// dispatch.
		registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
		registration.setAsyncSupported(true);
		// After Spring Security: an unauthenticated client gets its 401 before any body
		// is read or a write slot taken.
		registration
			.setOrder(org.springframework.boot.autoconfigure.security.SecurityProperties.DEFAULT_FILTER_ORDER + 10);
		return registration;
	}

}
