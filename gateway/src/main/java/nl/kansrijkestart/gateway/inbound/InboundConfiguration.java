package nl.kansrijkestart.gateway.inbound;

import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Mounts the STU3 door beside /fhir; Spring Security and the request guard cover it as
 * they cover /fhir.
 */
@Configuration(proxyBeanMethods = false)
public class InboundConfiguration {

	@Bean
	ServletRegistrationBean<Stu3Server> stu3Servlet(Stu3Provider provider) {
		ServletRegistrationBean<Stu3Server> registration = new ServletRegistrationBean<>(new Stu3Server(provider),
				"/fhir/stu3/*");
		registration.setName("fhir-stu3");
		registration.setLoadOnStartup(1);
		registration.setAsyncSupported(true);
		return registration;
	}

}
