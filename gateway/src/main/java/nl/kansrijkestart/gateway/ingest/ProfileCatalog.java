package nl.kansrijkestart.gateway.ingest;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.ElementDefinition;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.hl7.fhir.r4.model.ValueSet;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.stereotype.Component;

/**
 * Our published conformance resources (profiles/, packaged on the classpath) and the rule
 * that picks the profile a resource is validated against: a profile of ours it declares
 * in meta.profile, else the only profile for its type, else the profile whose fixed code
 * or code ValueSet contains its code, else the documented default (Patient: mother).
 */
@Component
public class ProfileCatalog {

	public static final String CANONICAL_BASE = "https://kansrijkestart.nl/fhir/";

	private static final Map<String, String> DEFAULT_PROFILE = Map.of("Patient",
			CANONICAL_BASE + "StructureDefinition/ks-mother");

	private final List<StructureDefinition> structureDefinitions = new ArrayList<>();

	private final List<ValueSet> valueSets = new ArrayList<>();

	private final List<CodeSystem> codeSystems = new ArrayList<>();

	private final Map<String, List<StructureDefinition>> profilesByType = new LinkedHashMap<>();

	private final Map<String, String> profileByCode = new HashMap<>();

	private final String fingerprint;

	public ProfileCatalog(FhirContext fhirContext) throws IOException {
		var parser = fhirContext.newJsonParser();
		MessageDigest digest = sha256();
		Resource[] files = new PathMatchingResourcePatternResolver().getResources("classpath*:profiles/*/*.json");
		Arrays.sort(files, Comparator.comparing(Resource::getFilename));
		for (Resource file : files) {
			String folder = folderOf(file);
			if (folder.equals("examples")) {
				continue;
			}
			byte[] bytes;
			try (InputStream in = file.getInputStream()) {
				bytes = in.readAllBytes();
			}
			digest.update(bytes);
			IBaseResource parsed = parser.parseResource(new String(bytes, StandardCharsets.UTF_8));
			if (parsed instanceof StructureDefinition sd) {
				structureDefinitions.add(sd);
			}
			else if (parsed instanceof ValueSet vs) {
				valueSets.add(vs);
			}
			else if (parsed instanceof CodeSystem cs) {
				codeSystems.add(cs);
			}
			else {
				throw new IllegalStateException("Unexpected conformance resource " + file);
			}
		}
		if (structureDefinitions.isEmpty()) {
			throw new IllegalStateException("No profiles found on the classpath under profiles/");
		}
		fingerprint = HexFormat.of().formatHex(digest.digest()).substring(0, 16);
		for (StructureDefinition sd : structureDefinitions) {
			if (sd.getKind() == StructureDefinition.StructureDefinitionKind.RESOURCE) {
				profilesByType.computeIfAbsent(sd.getType(), t -> new ArrayList<>()).add(sd);
				selectorCodes(sd).forEach(code -> profileByCode.put(sd.getType() + " " + code, sd.getUrl()));
			}
		}
	}

	private static String folderOf(Resource file) throws IOException {
		String[] parts = file.getURL().toString().split("/");
		return parts[parts.length - 2];
	}

	/** "system|code" of the codes that make a resource fall under this profile. */
	private List<String> selectorCodes(StructureDefinition sd) {
		List<String> codes = new ArrayList<>();
		for (ElementDefinition e : sd.getDifferential().getElement()) {
			boolean codeElement = e.getPath().equals(sd.getType() + ".code")
					|| e.getPath().equals(sd.getType() + ".type");
			if (!codeElement) {
				continue;
			}
			if (e.getPattern() instanceof CodeableConcept cc) {
				cc.getCoding().forEach(c -> codes.add(c.getSystem() + "|" + c.getCode()));
			}
			if (e.hasBinding() && e.getBinding().hasValueSet()) {
				valueSet(e.getBinding().getValueSet()).ifPresent(vs -> vs.getCompose()
					.getInclude()
					.forEach(inc -> inc.getConcept().forEach(c -> codes.add(inc.getSystem() + "|" + c.getCode()))));
			}
		}
		return codes;
	}

	private Optional<ValueSet> valueSet(String url) {
		return valueSets.stream().filter(vs -> vs.getUrl().equals(url)).findFirst();
	}

	public List<StructureDefinition> structureDefinitions() {
		return structureDefinitions;
	}

	public List<ValueSet> valueSets() {
		return valueSets;
	}

	public List<CodeSystem> codeSystems() {
		return codeSystems;
	}

	/** Resource types we accept for writing: the types we have a profile for. */
	public Set<String> acceptedTypes() {
		return new TreeSet<>(profilesByType.keySet());
	}

	public List<String> profilesFor(String resourceType) {
		return profilesByType.getOrDefault(resourceType, List.of()).stream().map(StructureDefinition::getUrl).toList();
	}

	/**
	 * Changes whenever any published conformance resource changes: earlier validation
	 * results then expire.
	 */
	public String fingerprint() {
		return fingerprint;
	}

	/**
	 * The profile to validate against, or empty when the type is not accepted or no
	 * profile fits.
	 * @param codes "system|code" of the resource's code (Observation.code,
	 * Procedure.code, EpisodeOfCare.type)
	 */
	public Optional<String> select(String resourceType, List<String> declaredProfiles, List<String> codes) {
		List<String> ours = profilesFor(resourceType);
		if (ours.isEmpty()) {
			return Optional.empty();
		}
		for (String declared : declaredProfiles) {
			String unversioned = declared.contains("|") ? declared.substring(0, declared.indexOf('|')) : declared;
			if (ours.contains(unversioned)) {
				return Optional.of(unversioned);
			}
		}
		if (ours.size() == 1) {
			return Optional.of(ours.get(0));
		}
		for (String code : codes) {
			String byCode = profileByCode.get(resourceType + " " + code);
			if (byCode != null) {
				return Optional.of(byCode);
			}
		}
		return Optional.ofNullable(DEFAULT_PROFILE.get(resourceType));
	}

	private static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}

}
