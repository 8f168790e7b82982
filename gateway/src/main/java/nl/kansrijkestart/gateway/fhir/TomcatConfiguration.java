package nl.kansrijkestart.gateway.fhir;

import java.io.IOException;
import nl.kansrijkestart.gateway.security.OperationOutcomes;
import org.apache.catalina.Valve;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What Tomcat itself answers (a request line it cannot parse, an invalid path escape) is
 * an OperationOutcome too, not Tomcat's HTML error page naming its version.
 */
@Configuration(proxyBeanMethods = false)
class TomcatConfiguration {

	@Bean
	WebServerFactoryCustomizer<TomcatServletWebServerFactory> operationOutcomeErrors() {
		return factory -> factory.addContextCustomizers(context -> {
			// The host adds its own error valve at start unless one of the configured
			// class name is there already.
			if (context.getParent() instanceof StandardHost host) {
				host.setErrorReportValveClass(OperationOutcomeErrorValve.class.getName());
			}
			var pipeline = context.getParent().getPipeline();
			for (Valve valve : pipeline.getValves()) {
				if (valve instanceof ErrorReportValve) {
					pipeline.removeValve(valve);
				}
			}
			pipeline.addValve(new OperationOutcomeErrorValve());
		});
	}

	public static final class OperationOutcomeErrorValve extends ErrorReportValve {

		@Override
		protected void report(Request request, Response response, Throwable throwable) {
			int status = response.getStatus();
			if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
				return;
			}
			try {
				OperationOutcomes.write(response, status, status >= 500 ? "exception" : "invalid",
						status >= 500 ? "The server could not handle the request"
								: "The request could not be read (HTTP " + status
										+ "); check the URL's escaping: characters"
										+ " such as | in a query are sent as %7C");
				response.finishResponse();
			}
			catch (IOException | IllegalStateException e) {
				// The client is gone or the response was taken over; nothing more to say.
			}
		}

	}

}
