package nl.kansrijkestart.gateway.store;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.r4.model.CodeSystem;
import org.springframework.core.io.ClassPathResource;
import org.springframework.stereotype.Component;

/**
 * The CBS municipality codes as published in {@code profiles/CodeSystem/ks-municipality.json}: the municipalities of
 * 2025 and the former codes of merged ones with their successor. Ingest refuses any other code (the extension's
 * required binding); a former code is kept as sent and read as its successor for routing and monitoring.
 */
@Component
public class Municipalities {

	static final String CODE_SYSTEM = "profiles/CodeSystem/ks-municipality.json";

	private final Map<String, String> successors = new HashMap<>();
	private final Set<String> current = new HashSet<>();
	private final Map<String, String> regions = new HashMap<>();

	Municipalities(FhirContext fhirContext) {
		CodeSystem codes;
		try (InputStream in = new ClassPathResource(CODE_SYSTEM).getInputStream()) {
			codes = fhirContext.newJsonParser().parseResource(CodeSystem.class, in);
		} catch (IOException e) {
			throw new IllegalStateException("Cannot read " + CODE_SYSTEM, e);
		}
		for (CodeSystem.ConceptDefinitionComponent concept : codes.getConcept()) {
			if (concept.getProperty().stream().anyMatch(p -> p.getCode().equals("status") && p.getValueCodeType().getCode().equals("active"))) {
				current.add(concept.getCode());
			}
			concept.getProperty().stream().filter(p -> p.getCode().equals("ggd-region")).findFirst()
					.ifPresent(p -> regions.put(concept.getCode(), p.getValue().primitiveValue()));
			concept.getProperty().stream().filter(p -> p.getCode().equals("successor")).findFirst()
					.ifPresent(p -> successors.put(concept.getCode(), p.getValueCodeType().getCode()));
		}
	}

	/** Whether the code is a municipality of today (not a former one, not unknown). */
	public boolean isCurrent(String code) {
		return current.contains(code);
	}

	/** The CBS code of the GGD region a municipality of today is in; null for any other code. */
	public String region(String code) {
		return regions.get(code);
	}

	/** The municipality a code stands for today: its successor when it is a former code, else itself. */
	public String current(String code) {
		return Optional.ofNullable(code).map(c -> successors.getOrDefault(c, c)).orElse(null);
	}
}
