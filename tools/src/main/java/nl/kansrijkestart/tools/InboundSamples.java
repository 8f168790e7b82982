package nl.kansrijkestart.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Benchmark input in the formats birth-care systems send today, made from public
 * examples: the Wouden case (Nictiz STU3 bc-/zib2017, assembled in
 * gateway/src/test/resources/stu3/) and Nictiz's kernset scenario 1 (HL7v3 PWD 2.3). Each
 * copy gets its own woman, child and ids, so every one is a new record.
 */
final class InboundSamples {

	/**
	 * One message: its body, its woman's BSN (a kernset message needs her registered
	 * first) and resources it makes.
	 */
	record Sample(String body, String motherBsn, int resources) {
	}

	private InboundSamples() {
	}

	static List<Sample> stu3(Path template, long seed, int count) throws IOException {
		String xml = Files.readString(template);
		List<Sample> samples = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			String tag = Long.toHexString(seed) + "-" + i;
			String mother = bsn(seed, 2L * i);
			samples.add(new Sample(xml.replace("999910413", mother)
				.replace("999911016", bsn(seed, 2L * i + 1))
				.replace("wouden-dossier-zwanger3", "dossier-" + tag)
				.replace("geboorte2-wouden", "geboorte-" + tag)
				.replace("kind2-wouden", "kind-" + tag)
				.replace("graviditeit-wouden-zwanger3", "graviditeit-" + tag)
				.replace("pariteit-wouden-zwanger3", "pariteit-" + tag)
				.replace("typepartus-wouden-zwanger3", "typepartus-" + tag), mother, 9));
		}
		return samples;
	}

	static List<Sample> kernset(Path template, long seed, int count) throws IOException {
		String xml = Files.readString(template);
		List<Sample> samples = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			String mother = bsn(seed, 2L * i);
			samples.add(new Sample(xml.replace("999910413", mother)
				.replace("999910383", bsn(seed, 2L * i + 1))
				.replace("0cbda760-1fdd-11e9-b56e-0800200c9a66",
						UUID.nameUUIDFromBytes((seed + "-" + i).getBytes()).toString())
				.replace("<id extension=\"2BGeneratedID\" root=\"1.2.3.999\"/>",
						"<id extension=\"bench-" + Long.toHexString(seed) + "-" + i + "\" root=\"1.2.3.999\"/>"),
					mother, 12));
		}
		return samples;
	}

	/**
	 * The k-th number passing the elfproef from a seed-dependent start: synthetic BSNs,
	 * unique per run.
	 */
	static String bsn(long seed, long k) {
		long n = 300_000_000L + Math.floorMod(seed * 7919, 100_000_000L) + k * 100;
		for (;; n++) {
			String s = Long.toString(n);
			int sum = 0;
			for (int i = 0; i < 8; i++) {
				sum += (s.charAt(i) - '0') * (9 - i);
			}
			if ((sum - (s.charAt(8) - '0')) % 11 == 0) {
				return s;
			}
		}
	}

	/**
	 * The woman as her EHR registers her before kernset messages arrive (the kernset has
	 * no name or municipality).
	 */
	static String mother(String bsn) {
		return "{\"resourceType\":\"Patient\",\"meta\":{\"profile\":[\"https://kansrijkestart.nl/fhir/StructureDefinition/ks-mother\"]},"
				+ "\"identifier\":[{\"system\":\"http://fhir.nl/fhir/NamingSystem/bsn\",\"value\":\"" + bsn + "\"}],"
				+ "\"name\":[{\"family\":\"Benchmark\",\"given\":[\"Moeder\"]}],\"birthDate\":\"1983-01-01\",\"address\":[{\"extension\":[{"
				+ "\"url\":\"https://kansrijkestart.nl/fhir/StructureDefinition/ks-ext-municipality\",\"valueCoding\":{\"system\":"
				+ "\"https://kansrijkestart.nl/fhir/NamingSystem/cbs-gemeentecode\",\"code\":\"GM0363\"}}],\"postalCode\":\"1016 GV\"}]}";
	}

}
