package nl.kansrijkestart.tools;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * A connection to a gateway's embedded PostgreSQL as its application role, with the
 * password kept beside its data.
 */
final class EmbeddedLogin {

	private EmbeddedLogin() {
	}

	static Connection connect(String jdbcUrl, Path credentialsFile) throws IOException, SQLException {
		Properties credentials = new Properties();
		try (Reader in = Files.newBufferedReader(credentialsFile)) {
			credentials.load(in);
		}
		return DriverManager.getConnection(jdbcUrl, "gateway_app", credentials.getProperty("application.password"));
	}

}
