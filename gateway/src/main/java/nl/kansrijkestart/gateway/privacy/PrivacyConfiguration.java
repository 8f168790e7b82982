package nl.kansrijkestart.gateway.privacy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

@Configuration(proxyBeanMethods = false)
class PrivacyConfiguration {

	private static final Logger log = LoggerFactory.getLogger(PrivacyConfiguration.class);

	@Bean
	Pseudonymizer pseudonymizer(PrivacyProperties properties, Environment environment) throws IOException {
		if (properties.pseudonymSecret() != null && !properties.pseudonymSecret().isBlank()) {
			return new Pseudonymizer(properties.pseudonymSecret().getBytes(StandardCharsets.UTF_8));
		}
		if (!environment.getProperty("spring.datasource.url", "").isBlank()) {
			throw new IllegalStateException(
					"gateway.privacy.pseudonym-secret (GATEWAY_PRIVACY_PSEUDONYM_SECRET) must be set"
							+ " when an external database is used: pseudonyms must stay stable and the secret must not live with the data");
		}
		Path dataDirectory = Path
			.of(environment.getProperty("gateway.embedded-database.data-directory", "./data/postgres"));
		return new Pseudonymizer(localSecret(dataDirectory.toAbsolutePath().getParent().resolve("pseudonym-secret")));
	}

	/**
	 * The embedded default's secret: made once, kept beside (not inside) the database
	 * directory.
	 */
	static byte[] localSecret(Path file) throws IOException {
		if (Files.exists(file)) {
			return HexFormat.of().parseHex(Files.readString(file, StandardCharsets.US_ASCII).trim());
		}
		byte[] secret = new byte[32];
		new SecureRandom().nextBytes(secret);
		Files.createDirectories(file.getParent());
		Files.writeString(file, HexFormat.of().formatHex(secret), StandardCharsets.US_ASCII,
				StandardOpenOption.CREATE_NEW);
		try {
			Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
		}
		catch (UnsupportedOperationException e) {
			log.debug("No POSIX permissions on {}", file);
		}
		log.info("Generated a pseudonym secret at {}; set gateway.privacy.pseudonym-secret for production", file);
		return secret;
	}

}
