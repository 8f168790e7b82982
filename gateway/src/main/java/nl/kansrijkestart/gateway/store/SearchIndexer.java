package nl.kansrijkestart.gateway.store;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.fhirpath.IFhirPath;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Enumeration;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.PrimitiveType;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.springframework.stereotype.Component;

/**
 * Extracts index entries from a resource with the FHIRPath expressions of
 * {@link SearchParameters}.
 */
@Component
public class SearchIndexer {

	static final Instant FAR_FUTURE = Instant.parse("9999-12-31T23:59:59Z");
	static final Instant FAR_PAST = Instant.parse("0001-01-01T00:00:00Z");

	private final FhirContext fhirContext;

	/**
	 * Built at the first write: its engine loads every core StructureDefinition, which
	 * the validator's start-up thread is loading at the same time (HAPI's shared loader
	 * is not guarded, so two threads would do it twice).
	 */
	private volatile IFhirPath fhirPath;

	private final Map<String, IFhirPath.IParsedExpression> parsed = new ConcurrentHashMap<>();

	public SearchIndexer(FhirContext fhirContext) {
		this.fhirContext = fhirContext;
	}

	private IFhirPath fhirPath() {
		IFhirPath engine = fhirPath;
		if (engine == null) {
			synchronized (this) {
				engine = fhirPath;
				if (engine == null) {
					engine = fhirContext.newFhirPath();
					fhirPath = engine;
				}
			}
		}
		return engine;
	}

	public IndexEntries index(Resource resource) {
		String type = resource.fhirType();
		List<IndexEntries.Token> tokens = new ArrayList<>();
		List<IndexEntries.Ref> refs = new ArrayList<>();
		List<IndexEntries.DateSpan> dates = new ArrayList<>();
		List<IndexEntries.Identifier> identifiers = new ArrayList<>();
		for (SearchParameters.Definition def : SearchParameters.forType(type)) {
			for (IBase value : evaluate(resource, def.path())) {
				switch (def.type()) {
					case TOKEN -> addTokens(def.name(), value, tokens);
					case REFERENCE -> addReference(def, value, refs);
					case DATE -> addDate(def.name(), value, dates);
				}
			}
		}
		tokens.stream()
			.filter(t -> t.param().equals("identifier") && t.system() != null)
			.map(t -> new IndexEntries.Identifier(t.system(), t.code()))
			.distinct()
			.forEach(identifiers::add);
		return new IndexEntries(tokens, refs, dates, identifiers);
	}

	private List<IBase> evaluate(Resource resource, String path) {
		IFhirPath.IParsedExpression expression = parsed.computeIfAbsent(path, p -> {
			try {
				return fhirPath().parse(p);
			}
			catch (Exception e) {
				throw new IllegalStateException("Bad search parameter path " + p, e);
			}
		});
		return fhirPath().evaluate(resource, expression, IBase.class);
	}

	private static void addTokens(String param, IBase value, List<IndexEntries.Token> out) {
		if (value instanceof CodeableConcept cc) {
			cc.getCoding().forEach(c -> addTokens(param, c, out));
		}
		else if (value instanceof Coding c && c.hasCode()) {
			out.add(new IndexEntries.Token(param, c.getSystem(), c.getCode()));
		}
		else if (value instanceof Identifier id && id.hasValue()) {
			out.add(new IndexEntries.Token(param, id.getSystem(), id.getValue()));
		}
		else if (value instanceof Enumeration<?> e && e.hasCode()) {
			out.add(new IndexEntries.Token(param, e.getSystem(), e.getCode()));
		}
		else if (value instanceof PrimitiveType<?> p && p.hasValue()) {
			out.add(new IndexEntries.Token(param, null, p.getValueAsString()));
		}
	}

	private static void addReference(SearchParameters.Definition def, IBase value, List<IndexEntries.Ref> out) {
		if (!(value instanceof Reference ref) || !ref.hasReference()) {
			return;
		}
		var id = ref.getReferenceElement();
		if (!id.hasResourceType() || !id.hasIdPart() || id.isAbsolute()) {
			return;
		}
		if (def.name().equals("patient") && !id.getResourceType().equals("Patient")) {
			return;
		}
		out.add(new IndexEntries.Ref(def.name(), id.getResourceType(), id.getIdPart()));
	}

	private static void addDate(String param, IBase value, List<IndexEntries.DateSpan> out) {
		if (value instanceof BaseDateTimeType dt && dt.getValue() != null) {
			out.add(new IndexEntries.DateSpan(param, low(dt), high(dt)));
		}
		else if (value instanceof Period p && (p.hasStart() || p.hasEnd())) {
			Instant low = p.hasStart() ? low(p.getStartElement()) : FAR_PAST;
			Instant high = p.hasEnd() ? high(p.getEndElement()) : FAR_FUTURE;
			out.add(new IndexEntries.DateSpan(param, low, high));
		}
	}

	/** The first instant a date of the given precision covers. */
	public static Instant low(BaseDateTimeType dt) {
		return dt.getValue().toInstant();
	}

	/**
	 * The last instant a date of the given precision covers (a day covers the whole day).
	 */
	public static Instant high(BaseDateTimeType dt) {
		Calendar cal = dt.getValueAsCalendar();
		switch (dt.getPrecision()) {
			case YEAR -> cal.add(Calendar.YEAR, 1);
			case MONTH -> cal.add(Calendar.MONTH, 1);
			case DAY -> cal.add(Calendar.DAY_OF_MONTH, 1);
			case MINUTE -> cal.add(Calendar.MINUTE, 1);
			case SECOND -> cal.add(Calendar.SECOND, 1);
			default -> cal.add(Calendar.MILLISECOND, 1);
		}
		return cal.toInstant().minus(1, ChronoUnit.MILLIS);
	}

}
