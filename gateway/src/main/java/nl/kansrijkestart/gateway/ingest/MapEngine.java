package nl.kansrijkestart.gateway.ingest;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BiFunction;
import org.hl7.fhir.r4.hapi.ctx.HapiWorkerContext;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StructureMap;
import org.hl7.fhir.r4.utils.StructureMapUtilities;
import org.springframework.core.io.ClassPathResource;

/**
 * Runs our FHIR Mapping Language maps (R4 to R4: the handover set, the inbound set) with
 * HAPI's {@link StructureMapUtilities}: types from HAPI's model, {@code translate} from
 * the owner's ConceptMaps; maps neither resolve references nor search (their owners join
 * resources themselves).
 */
public final class MapEngine {

	private final FhirContext fhirContext;

	private final BiFunction<Coding, String, Coding> translate;

	private final StructureMapUtilities engine;

	/**
	 * {@code translate}: a coding and a ConceptMap url to the target coding, or null when
	 * the map has none.
	 */
	public MapEngine(FhirContext fhirContext, BiFunction<Coding, String, Coding> translate) {
		this.fhirContext = fhirContext;
		this.translate = translate;
		this.engine = new StructureMapUtilities(
				new HapiWorkerContext(fhirContext, new DefaultProfileValidationSupport(fhirContext)), new Services());
	}

	/**
	 * A map file of the classpath's {@code mappings/}, parsed, with the version its
	 * manifest gives it.
	 */
	public StructureMap parse(String file, String version) throws IOException {
		StructureMap parsed = engine.parse(text(file), file);
		parsed.setVersion(version);
		return parsed;
	}

	/**
	 * The source as the map makes it: a new resource of the source's type. The engine is
	 * not thread-safe.
	 */
	public synchronized Resource transform(StructureMap map, Resource source) {
		Resource target = (Resource) fhirContext.getResourceDefinition(source.fhirType()).newInstance();
		engine.transform(null, source, map, target);
		return target;
	}

	/**
	 * A text file of the classpath's {@code mappings/} (where the build puts the
	 * repository's mappings/).
	 */
	public static String text(String file) throws IOException {
		try (InputStream in = new ClassPathResource("mappings/" + file).getInputStream()) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
	}

	private final class Services implements StructureMapUtilities.ITransformerServices {

		@Override
		public void log(String message) {
			// The engine narrates every rule; nothing of it is worth keeping.
		}

		@Override
		public Base createType(Object appInfo, String name) {
			return (Base) fhirContext.getElementDefinition(name.substring(name.lastIndexOf('/') + 1)).newInstance();
		}

		@Override
		public Base createResource(Object appInfo, Base res, boolean atRootofTransform) {
			return res;
		}

		@Override
		public Coding translate(Object appInfo, Coding source, String conceptMapUrl) {
			return translate.apply(source, conceptMapUrl);
		}

		@Override
		public Base resolveReference(Object appInfo, String url) {
			throw new UnsupportedOperationException("Our maps do not resolve references");
		}

		@Override
		public List<Base> performSearch(Object appInfo, String url) {
			throw new UnsupportedOperationException("Our maps do not search");
		}

	}

}
