package nl.kansrijkestart.gateway.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The reference tables of mappings/reference/: rows after the header, comment lines
 * skipped, fields maybe quoted.
 */
public final class Csv {

	private static final String SPLIT = ",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)";

	private Csv() {
	}

	public static List<String[]> rows(Path file) throws IOException {
		return Files.readAllLines(file)
			.stream()
			.filter(l -> !l.startsWith("#") && !l.isBlank())
			.skip(1)
			.map(l -> Arrays.stream(l.split(SPLIT, -1)).map(f -> f.replaceAll("^\"|\"$", "")).toArray(String[]::new))
			.toList();
	}

}
