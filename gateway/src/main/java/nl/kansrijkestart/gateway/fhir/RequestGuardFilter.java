package nl.kansrijkestart.gateway.fhir;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Semaphore;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses what must never reach a parser: bodies without a FHIR media type (415) and bodies over the size
 * limit (413), whether or not the client announced a Content-Length. Admits a bounded number of writes at once.
 */
class RequestGuardFilter extends OncePerRequestFilter {

	private static final Set<String> FHIR_TYPES = Set.of("application/fhir+json", "application/json", "application/fhir+xml",
			"application/xml", "text/xml");
	private static final Set<String> WITH_BODY = Set.of("POST", "PUT", "PATCH");

	private final long maxBytes;
	private final Semaphore writeSlots;

	RequestGuardFilter(FhirProperties properties) {
		this.maxBytes = properties.maxRequestSize().toBytes();
		this.writeSlots = new Semaphore(properties.concurrentWrites(), true);
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (!WITH_BODY.contains(request.getMethod())) {
			chain.doFilter(request, response);
			return;
		}
		String contentType = request.getContentType();
		String mediaType = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
		boolean formSearch = request.getRequestURI().endsWith("/_search") && mediaType.equals("application/x-www-form-urlencoded");
		if (!formSearch && !FHIR_TYPES.contains(mediaType)) {
			OperationOutcomes.write(response, 415, "not-supported", contentType == null
					? "A Content-Type is required: application/fhir+json or application/fhir+xml"
					: "Content-Type " + mediaType + " is not supported: use application/fhir+json or application/fhir+xml");
			return;
		}
		if (request.getContentLengthLong() > maxBytes) {
			tooLarge(response);
			return;
		}
		if (formSearch) {
			chain.doFilter(request, response);
			return;
		}
		byte[] body = readAtMost(request.getInputStream(), maxBytes);
		if (body == null) {
			tooLarge(response);
			return;
		}
		try {
			writeSlots.acquire();
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			OperationOutcomes.write(response, 503, "transient", "The gateway is shutting down");
			return;
		}
		try {
			chain.doFilter(new CachedBodyRequest(request, body), response);
		} finally {
			writeSlots.release();
		}
	}

	private void tooLarge(HttpServletResponse response) throws IOException {
		OperationOutcomes.write(response, 413, "too-costly", "The request body exceeds the limit of " + maxBytes + " bytes");
	}

	/** The body, or null when it is longer than {@code limit}. */
	private static byte[] readAtMost(InputStream in, long limit) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		byte[] buffer = new byte[16384];
		long total = 0;
		int n;
		while ((n = in.read(buffer)) > 0) {
			total += n;
			if (total > limit) {
				return null;
			}
			out.write(buffer, 0, n);
		}
		return out.toByteArray();
	}

	private static final class CachedBodyRequest extends HttpServletRequestWrapper {
		private final byte[] body;

		CachedBodyRequest(HttpServletRequest request, byte[] body) {
			super(request);
			this.body = body;
		}

		@Override
		public ServletInputStream getInputStream() {
			ByteArrayInputStream in = new ByteArrayInputStream(body);
			return new ServletInputStream() {
				@Override
				public int read() {
					return in.read();
				}

				@Override
				public int read(byte[] b, int off, int len) {
					return in.read(b, off, len);
				}

				@Override
				public boolean isFinished() {
					return in.available() == 0;
				}

				@Override
				public boolean isReady() {
					return true;
				}

				@Override
				public void setReadListener(ReadListener listener) {
					throw new UnsupportedOperationException();
				}
			};
		}

		@Override
		public BufferedReader getReader() {
			return new BufferedReader(new InputStreamReader(getInputStream(), StandardCharsets.UTF_8));
		}

		@Override
		public int getContentLength() {
			return body.length;
		}

		@Override
		public long getContentLengthLong() {
			return body.length;
		}
	}
}
