package nl.kansrijkestart.gateway.store;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Properties;

/**
 * The embedded server's passwords, generated at its first start and kept beside its data
 * directory (owner-only file): the superuser's (migrations, role set-up) and the
 * application role's (serving). Whoever can read this file can read the data directory
 * anyway; nobody else on the host can connect.
 */
record EmbeddedCredentials(String superuserPassword, String applicationPassword) {

	private static final SecureRandom RANDOM = new SecureRandom();

	static Path fileFor(Path dataDirectory) {
		return dataDirectory.resolveSibling(dataDirectory.getFileName() + ".credentials");
	}

	/**
	 * The credentials on file, or new ones written there (only when the data directory
	 * has no cluster yet).
	 */
	static EmbeddedCredentials loadOrCreate(Path file, boolean clusterExists) throws IOException {
		if (Files.exists(file)) {
			Properties p = new Properties();
			try (Reader in = Files.newBufferedReader(file)) {
				p.load(in);
			}
			String superuser = p.getProperty("superuser.password");
			String application = p.getProperty("application.password");
			if (superuser == null || application == null) {
				throw new IllegalStateException(file + " lacks superuser.password or application.password");
			}
			return new EmbeddedCredentials(superuser, application);
		}
		EmbeddedCredentials created = new EmbeddedCredentials(random(), random());
		Properties p = new Properties();
		p.setProperty("superuser.password", created.superuserPassword());
		p.setProperty("application.password", created.applicationPassword());
		try {
			Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
		}
		catch (UnsupportedOperationException nonPosix) {
			Files.createFile(file);
		}
		catch (FileAlreadyExistsException raced) {
			return loadOrCreate(file, clusterExists);
		}
		try (Writer out = Files.newBufferedWriter(file, StandardOpenOption.WRITE)) {
			p.store(out, clusterExists ? "set on an existing cluster that had none" : "generated with the cluster");
		}
		return created;
	}

	private static String random() {
		byte[] bytes = new byte[24];
		RANDOM.nextBytes(bytes);
		return HexFormat.of().formatHex(bytes);
	}
}
