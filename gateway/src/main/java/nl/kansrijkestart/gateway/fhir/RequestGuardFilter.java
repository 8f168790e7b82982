package nl.kansrijkestart.gateway.fhir;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
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
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import nl.kansrijkestart.gateway.security.OperationOutcomes;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses what must never reach a parser: malformed or too many query parameters (400),
 * bodies without a FHIR media type or in an unknown content coding (415), bodies over the
 * size limit (413) counted after decompression and whether or not the client announced a
 * Content-Length, and bodies {@link BodyScreen} refuses. Admits a bounded number of
 * writes at once; a write that cannot get a slot in time gets 503.
 */
class RequestGuardFilter extends OncePerRequestFilter {

	private static final Set<String> FHIR_TYPES = Set.of("application/fhir+json", "application/json",
			"application/fhir+xml", "application/xml", "text/xml");

	private static final Set<String> WITH_BODY = Set.of("POST", "PUT", "PATCH");

	private static final String BODY = RequestGuardFilter.class.getName() + ".body";

	private final long maxBytes;

	private final int maxParameters;

	private final Duration writeQueueTimeout;

	private final Semaphore writeSlots;

	private final BodyScreen screen;

	private final Duration bodyReadTimeout;

	RequestGuardFilter(FhirProperties properties) {
		this.bodyReadTimeout = properties.limits().bodyReadTimeout();
		this.maxBytes = properties.maxRequestSize().toBytes();
		this.maxParameters = properties.limits().maxParameters();
		this.writeQueueTimeout = properties.limits().writeQueueTimeout();
		this.writeSlots = new Semaphore(properties.concurrentWrites(), true);
		this.screen = new BodyScreen(properties.limits());
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (request.getDispatcherType() == DispatcherType.ASYNC) {
			byte[] raw = (byte[]) request.getAttribute(BODY);
			request.removeAttribute(BODY);
			if (raw != null) {
				withBody(request, response, chain, raw);
			}
			else {
				chain.doFilter(request, response);
			}
			return;
		}
		String badQuery = QueryScreen.check(request.getQueryString(), maxParameters);
		if (badQuery != null) {
			OperationOutcomes.write(response, 400, "invalid", badQuery);
			return;
		}
		if (!WITH_BODY.contains(request.getMethod())) {
			chain.doFilter(request, response);
			return;
		}
		String contentType = request.getContentType();
		String mediaType = mediaType(request);
		boolean formSearch = request.getRequestURI().endsWith("/_search")
				&& mediaType.equals("application/x-www-form-urlencoded");
		if (!formSearch && !FHIR_TYPES.contains(mediaType)) {
			OperationOutcomes.write(response, 415, "not-supported",
					contentType == null ? "A Content-Type is required: application/fhir+json or application/fhir+xml"
							: "Content-Type " + mediaType
									+ " is not supported: use application/fhir+json or application/fhir+xml");
			return;
		}
		if (request.getContentLengthLong() > maxBytes) {
			tooLarge(response);
			return;
		}
		if (formSearch) {
			String badForm = QueryScreen.checkCount(request.getParameterMap(), maxParameters);
			if (badForm != null) {
				OperationOutcomes.write(response, 400, "invalid", badForm);
				return;
			}
			chain.doFilter(request, response);
			return;
		}
		String coding = request.getHeader("Content-Encoding");
		boolean gzip = coding != null && (coding.equalsIgnoreCase("gzip") || coding.equalsIgnoreCase("x-gzip"));
		if (coding != null && !gzip && !coding.equalsIgnoreCase("identity")) {
			OperationOutcomes.write(response, 415, "not-supported",
					"Content-Encoding " + coding + " is not supported: send gzip or" + " an uncompressed body");
			return;
		}
		readWithoutBlocking(request, response);
	}

	/**
	 * Reads the body as it arrives, without holding a worker thread while the client is
	 * slow (a client sending one byte every few seconds must not take a thread: 70 of
	 * them would stop the gateway). The whole body must arrive within the body-read
	 * timeout (408). When it has, the request is dispatched again and continues in
	 * {@link #withBody}.
	 */
	private void readWithoutBlocking(HttpServletRequest request, HttpServletResponse response) throws IOException {
		AsyncContext async = request.startAsync(request, response);
		async.setTimeout(bodyReadTimeout.toMillis());
		AtomicBoolean finished = new AtomicBoolean();
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		ServletInputStream in = request.getInputStream();
		async.addListener(new AsyncListener() {
			@Override
			public void onTimeout(AsyncEvent event) throws IOException {
				if (finished.compareAndSet(false, true)) {
					response.setHeader("Connection", "close");
					OperationOutcomes.write(response, 408, "timeout",
							"The request body did not arrive within " + bodyReadTimeout.toSeconds() + " s");
					async.complete();
				}
			}

			@Override
			public void onError(AsyncEvent event) {
				finished.set(true);
			}

			@Override
			public void onComplete(AsyncEvent event) {
				finished.set(true);
			}

			@Override
			public void onStartAsync(AsyncEvent event) {
				// nothing to set up again
			}
		});
		in.setReadListener(new ReadListener() {
			private final byte[] buffer = new byte[16384];

			@Override
			public void onDataAvailable() throws IOException {
				while (!finished.get() && in.isReady()) {
					int n = in.read(buffer);
					if (n < 0) {
						return;
					}
					body.write(buffer, 0, n);
					if (body.size() > maxBytes && finished.compareAndSet(false, true)) {
						response.setHeader("Connection", "close");
						tooLarge(response);
						async.complete();
					}
				}
			}

			@Override
			public void onAllDataRead() {
				if (finished.compareAndSet(false, true)) {
					request.setAttribute(BODY, body.toByteArray());
					async.dispatch();
				}
			}

			@Override
			public void onError(Throwable t) {
				if (finished.compareAndSet(false, true)) {
					async.complete();
				}
			}
		});
	}

	/**
	 * The second dispatch: the whole body is here. Decompress, screen, wait for a write
	 * slot, go on.
	 */
	private void withBody(HttpServletRequest request, HttpServletResponse response, FilterChain chain, byte[] raw)
			throws ServletException, IOException {
		String coding = request.getHeader("Content-Encoding");
		boolean gzip = coding != null && !coding.equalsIgnoreCase("identity");
		byte[] body;
		try {
			// A compressed body counts by what it expands to: a 40 KB gzip can hold 40
			// MB.
			body = gzip ? readAtMost(new GZIPInputStream(new ByteArrayInputStream(raw)), maxBytes) : raw;
		}
		catch (ZipException | EOFException e) {
			OperationOutcomes.write(response, 400, "invalid", "The body is not valid gzip: " + e.getMessage());
			return;
		}
		if (body == null) {
			tooLarge(response);
			return;
		}
		BodyScreen.Refusal refusal = screen.check(body, mediaType(request).endsWith("xml"));
		if (refusal != null) {
			OperationOutcomes.write(response, refusal.status(), refusal.code(), refusal.message());
			return;
		}
		try {
			if (!writeSlots.tryAcquire(writeQueueTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
				response.setHeader("Retry-After", "5");
				OperationOutcomes.write(response, 503, "transient",
						"The gateway is busy with other writes; try again shortly");
				return;
			}
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			OperationOutcomes.write(response, 503, "transient", "The gateway is shutting down");
			return;
		}
		try {
			chain.doFilter(new CachedBodyRequest(request, body), response);
		}
		finally {
			writeSlots.release();
		}
	}

	/** The Content-Type without its parameters, lower case; empty when there is none. */
	private static String mediaType(HttpServletRequest request) {
		String contentType = request.getContentType();
		return contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
	}

	private void tooLarge(HttpServletResponse response) throws IOException {
		OperationOutcomes.write(response, 413, "too-costly",
				"The request body exceeds the limit of " + maxBytes + " bytes");
	}

	/**
	 * The body is read asynchronously and handed to the second, asynchronous dispatch of
	 * this request.
	 */
	@Override
	protected boolean shouldNotFilterAsyncDispatch() {
		return false;
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

	/**
	 * The body as read (and decompressed: the Content-Encoding header is no longer true,
	 * so it is hidden).
	 */
	private static final class CachedBodyRequest extends HttpServletRequestWrapper {

		private final byte[] body;

		CachedBodyRequest(HttpServletRequest request, byte[] body) {
			super(request);
			this.body = body;
		}

		@Override
		public String getHeader(String name) {
			return "Content-Encoding".equalsIgnoreCase(name) ? null : super.getHeader(name);
		}

		@Override
		public Enumeration<String> getHeaders(String name) {
			return "Content-Encoding".equalsIgnoreCase(name) ? Collections.emptyEnumeration() : super.getHeaders(name);
		}

		@Override
		public Enumeration<String> getHeaderNames() {
			return Collections.enumeration(Collections.list(super.getHeaderNames())
				.stream()
				.filter(h -> !"Content-Encoding".equalsIgnoreCase(h))
				.toList());
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
