package nl.kansrijkestart.gateway.handover;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import nl.kansrijkestart.gateway.security.OrganizationIdentifier;
import nl.kansrijkestart.gateway.store.Municipalities;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Which JGZ organisation serves a municipality: a table kept as data (CSV,
 * {@code gateway.handover.routing-file}), loaded into the database at startup and
 * whenever an administrator reloads it.
 */
@Component
class JgzRouting {

	private static final Logger log = LoggerFactory.getLogger(JgzRouting.class);

	/**
	 * One row of the table: {@code organization} as {@code system|value};
	 * {@code endpoint} null = pull only; {@code timeout} of a push to it, null =
	 * {@code gateway.handover.delivery.timeout}.
	 */
	record Route(String municipality, String organization, String name, String endpoint, Duration timeout) {
	}

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	private final HandoverProperties properties;

	private final Municipalities municipalities;

	/** Production: every push endpoint is https (the documents are personal data). */
	private final boolean production;

	JgzRouting(JdbcTemplate jdbc, TransactionTemplate transactions, HandoverProperties properties,
			Municipalities municipalities, @Value("${gateway.production:false}") boolean production) {
		this.production = production;
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.properties = properties;
		this.municipalities = municipalities;
	}

	Optional<Route> route(String municipality) {
		if (municipality == null) {
			return Optional.empty();
		}
		return jdbc.query(
				"select municipality, organization, name, endpoint, endpoint_timeout_ms from jgz_route where municipality = ?",
				(rs, n) -> new Route(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
						rs.getObject(5) == null ? null : Duration.ofMillis(rs.getLong(5))),
				municipality)
			.stream()
			.findFirst();
	}

	/**
	 * Replaces the table with the file's rows, all or nothing; a bad file changes
	 * nothing.
	 * @throws IllegalArgumentException naming the line of the file that is not a route
	 */
	int reload() {
		List<Route> routes = read();
		transactions.executeWithoutResult(status -> {
			jdbc.update("delete from jgz_route");
			jdbc.batchUpdate(
					"insert into jgz_route (municipality, organization, name, endpoint, endpoint_timeout_ms) values (?, ?, ?, ?, ?)",
					routes, routes.size(), (ps, r) -> {
						ps.setString(1, r.municipality());
						ps.setString(2, r.organization());
						ps.setString(3, r.name());
						ps.setString(4, r.endpoint());
						ps.setObject(5, r.timeout() == null ? null : r.timeout().toMillis());
					});
		});
		log.info("Loaded {} JGZ routes from {}", routes.size(), properties.routingFile());
		return routes.size();
	}

	/**
	 * {@code 10s}, {@code 1500ms}, {@code PT10S}; null when it is none of these or not
	 * positive.
	 */
	private static Duration timeout(String text) {
		try {
			Duration d = DurationStyle.detectAndParse(text);
			return d.isNegative() || d.isZero() ? null : d;
		}
		catch (IllegalArgumentException e) {
			return null;
		}
	}

	private IllegalArgumentException badLine(int line, String why) {
		return new IllegalArgumentException(
				"JGZ routing table " + properties.routingFile() + ", line " + line + ": " + why);
	}

	List<Route> read() {
		String text;
		try (InputStream in = new DefaultResourceLoader().getResource(properties.routingFile()).getInputStream()) {
			text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException e) {
			throw new IllegalStateException("Cannot read the JGZ routing table " + properties.routingFile(), e);
		}
		List<Route> routes = new ArrayList<>();
		int line = 0;
		for (String row : text.split("\\R")) {
			line++;
			if (row.isBlank() || row.startsWith("#") || row.startsWith("municipality,")) {
				continue;
			}
			String[] f = row.split(",", -1);
			Duration timeout = f.length >= 5 && !f[4].isBlank() ? timeout(f[4].trim()) : null;
			String region = f.length == 6 && !f[5].isBlank() ? f[5].trim() : null;
			if (f.length < 4 || f.length > 6 || !f[0].matches("GM[0-9]{4}")
					|| OrganizationIdentifier.parse(f[1]).isEmpty() || f[2].isBlank()
					|| (!f[3].isBlank() && !f[3].matches("https?://\\S+"))
					|| (f.length >= 5 && !f[4].isBlank() && timeout == null)) {
				throw badLine(line,
						"expected municipality (GMnnnn), organization (URA or AGB as system|value), name, endpoint"
								+ " (http(s) URL or empty), and optionally the endpoint's push timeout (e.g. 10s) and the GGD region (GGnnnn)");
			}
			if (production && !f[3].isBlank() && !f[3].startsWith("https://")) {
				throw badLine(line, "the endpoint " + f[3]
						+ " is not https, as every endpoint must be in production (gateway.production)");
			}
			if (!municipalities.isCurrent(f[0])) {
				throw badLine(line,
						f[0] + " is not a municipality of today (profiles/CodeSystem/ks-municipality.json); a former"
								+ " code is routed by its successor's row");
			}
			if (region != null && !region.equals(municipalities.region(f[0]))) {
				throw badLine(line, f[0] + " is in GGD region " + municipalities.region(f[0]) + ", not " + region);
			}
			routes.add(new Route(f[0], f[1], f[2].trim(), f[3].isBlank() ? null : f[3].trim(), timeout));
		}
		return routes;
	}

}
