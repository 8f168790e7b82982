package nl.kansrijkestart.tools;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OAuth2 client-credentials access token, fetched when first needed and again shortly
 * before it expires.
 */
public final class AccessToken {

	private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");

	private static final Pattern EXPIRES_IN = Pattern.compile("\"expires_in\"\\s*:\\s*([0-9]+)");

	private final HttpClient client;

	private final String tokenUrl;

	private final String basic;

	private String value;

	private Instant refreshAt = Instant.MIN;

	public AccessToken(HttpClient client, String tokenUrl, String clientId, String clientSecret) {
		this.client = client;
		this.tokenUrl = tokenUrl;
		this.basic = Base64.getEncoder()
			.encodeToString((clientId + ":" + clientSecret).getBytes(StandardCharsets.UTF_8));
	}

	public synchronized String get() throws IOException, InterruptedException {
		if (Instant.now().isAfter(refreshAt)) {
			HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(tokenUrl))
				.header("Authorization", "Basic " + basic)
				.header("Content-Type", "application/x-www-form-urlencoded")
				.POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
				.build(), HttpResponse.BodyHandlers.ofString());
			Matcher token = ACCESS_TOKEN.matcher(response.body());
			Matcher expires = EXPIRES_IN.matcher(response.body());
			if (response.statusCode() != 200 || !token.find() || !expires.find()) {
				throw new IOException(
						"No access token from " + tokenUrl + ": " + response.statusCode() + " " + response.body());
			}
			value = token.group(1);
			refreshAt = Instant.now().plusSeconds(Math.max(0, Long.parseLong(expires.group(1)) - 30));
		}
		return value;
	}

}
