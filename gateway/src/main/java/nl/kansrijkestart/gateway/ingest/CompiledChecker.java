package nl.kansrijkestart.gateway.ingest;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.hl7.fhir.r5.context.IWorkerContext;
import org.hl7.fhir.r5.elementmodel.Element;
import org.hl7.fhir.r5.fhirpath.ExpressionNode;
import org.hl7.fhir.r5.fhirpath.FHIRPathEngine;
import org.hl7.fhir.r5.model.Base;
import org.hl7.fhir.r5.model.ElementDefinition;
import org.hl7.fhir.r5.model.ElementDefinition.ConstraintSeverity;
import org.hl7.fhir.r5.model.Enumerations.BindingStrength;
import org.hl7.fhir.r5.model.StructureDefinition;
import org.hl7.fhir.r5.model.ValueSet;
import org.hl7.fhir.r5.terminologies.utilities.ValidationResult;
import org.hl7.fhir.utilities.FhirPublication;
import org.hl7.fhir.utilities.validation.ValidationOptions;

/**
 * A checker compiled from our profiles' snapshots that answers, for one resource, whether
 * it is valid, invalid or beyond what the checker understands. Only a
 * {@link Verdict#VALID} answer is acted upon: it lets a resource skip HAPI's validator.
 * Anything invalid or not understood still goes to HAPI's validator, whose messages the
 * client gets, so this class may be stricter than HAPI but never more lenient (the
 * differential test, {@code CompiledCheckerDifferentialTest}, holds it to that).
 *
 * <p>
 * It understands a resource only if every element in it is one the compiled definitions
 * know, and then checks cardinality, types, primitive formats, fixed and pattern values,
 * the codes of every coding (against their code systems, through the same terminology
 * services HAPI uses, memoised), required bindings, slices on extension URL and
 * identifier system, reference types, extension contexts and every error-level invariant
 * (ele-1 and ext-1 in Java, the others with the FHIRPath engine, parsed once).
 * Narratives, contained resources, modifier extensions, unknown extensions and the rarer
 * datatypes are left to HAPI.
 */
final class CompiledChecker {

	enum Verdict {

		VALID, INVALID, NOT_UNDERSTOOD

	}

	/** The verdict and, when not valid, the first reason (for tests and logs). */
	record Result(Verdict verdict, String reason) {
	}

	private static final String CORE = "http://hl7.org/fhir/StructureDefinition/";

	private static final String SYSTEM_TYPE = "http://hl7.org/fhirpath/System.";

	private static final int MEMO_LIMIT = 50_000;

	private static final Set<String> BACKBONE = Set.of("BackboneElement", "Element");

	private static final Set<String> LEFT_TO_HAPI = Set.of("Narrative", "Attachment", "Signature", "Resource");

	private static final Pattern CODE = Pattern.compile("[^\\s]+( [^\\s]+)*");

	private static final Pattern ID = Pattern.compile("[A-Za-z0-9\\-.]{1,64}");

	private static final Pattern INTEGER = Pattern.compile("-?(0|[1-9][0-9]{0,9})");

	private static final Pattern DECIMAL = Pattern.compile("-?(0|[1-9][0-9]{0,17})(\\.[0-9]{1,17})?");

	private static final Pattern DATE = Pattern.compile("([0-9]{4})(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?");

	private static final Pattern DATE_TIME = Pattern.compile("([0-9]{4})(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01])"
			+ "(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?");

	/** Absolute URLs, OIDs and UUIDs. */
	private static final Pattern URI = Pattern
		.compile("https?://[A-Za-z0-9\\-._~:/?#\\[\\]@!$&'()*+,;=%]+|urn:oid:[0-2](\\.(0|[1-9][0-9]*))+"
				+ "|urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

	private static final Pattern REFERENCE = Pattern.compile("([A-Z][A-Za-z]+)/[A-Za-z0-9\\-.]{1,64}");

	private static final Pattern REFERENCE_TYPE = Pattern.compile("[A-Z][A-Za-z]+");

	private static final Pattern URN_UUID = Pattern
		.compile("urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

	private final IWorkerContext worker;

	private final Map<String, Optional<Node>> compiled = new ConcurrentHashMap<>();

	private final Map<String, Optional<ExpressionNode>> expressions = new ConcurrentHashMap<>();

	private final Map<String, Boolean> codings = new ConcurrentHashMap<>();

	/**
	 * The FHIRPath engine keeps per-evaluation state: one per check, reused (as many as
	 * checks ran at once).
	 */
	private final Queue<FHIRPathEngine> engines = new ConcurrentLinkedQueue<>();

	private final ValidationOptions options = new ValidationOptions(FhirPublication.R4);

	/**
	 * @param worker the validator's worker context: its definitions (with snapshots) and
	 * terminology
	 */
	CompiledChecker(IWorkerContext worker) {
		this.worker = worker;
	}

	Result check(Element resource, String profile) {
		Walk walk = new Walk(resource, profile);
		try {
			Node root = definition(profile).orElseThrow(() -> unknown("no compiled definition for " + profile));
			walk.resourceLevel();
			walk.element(resource, root, root.path);
			return new Result(Verdict.VALID, null);
		}
		catch (Stop stop) {
			return new Result(stop.verdict, stop.getMessage());
		}
		catch (RuntimeException e) {
			// whatever the checker cannot handle is HAPI's to judge
			return new Result(Verdict.NOT_UNDERSTOOD, "the checker failed: " + e);
		}
		finally {
			if (walk.engine != null) {
				engines.offer(walk.engine);
			}
		}
	}

	/** One definition in a compiled snapshot, with its children and slices. */
	private static final class Node {

		final ElementDefinition ed;

		final String path;

		final String name;

		final List<Node> children = new ArrayList<>();

		final List<Node> slices = new ArrayList<>();

		/**
		 * For a sliced element: its discriminators' paths (null for a type
		 * discriminator).
		 */
		final List<String> discriminators = new ArrayList<>();

		/** For a slice: the values its discriminators must have, in the same order. */
		final List<String> discriminatorValues = new ArrayList<>();

		final PatternValue pattern;

		final int max;

		Node(ElementDefinition ed) {
			this.ed = ed;
			this.path = ed.getPath();
			this.name = path.substring(path.lastIndexOf('.') + 1);
			this.pattern = ed.hasPattern() ? PatternValue.of(ed.getPattern()) : null;
			this.max = "*".equals(ed.getMax()) ? Integer.MAX_VALUE : Integer.parseInt(ed.getMax());
		}

		Node child(String propertyName) {
			for (Node c : children) {
				if (c.name.equals(propertyName)) {
					return c;
				}
			}
			return null;
		}

		/** This element's or slice's cardinality, for the number of instances given. */
		void requireCount(int count) {
			if (count < ed.getMin() || count > max) {
				throw invalid(ed.getId() + " has " + count + " (allowed " + ed.getMin() + ".." + ed.getMax() + ")");
			}
		}

	}

	private Optional<Node> definition(String url) {
		Optional<Node> known = compiled.get(url);
		if (known == null) {
			known = Optional.ofNullable(compile(url));
			compiled.put(url, known);
		}
		return known;
	}

	private Node compile(String url) {
		StructureDefinition sd = worker.fetchResource(StructureDefinition.class, url);
		if (sd == null || !sd.hasSnapshot()) {
			return null;
		}
		Map<String, Node> byId = new LinkedHashMap<>();
		Node root = null;
		for (ElementDefinition ed : sd.getSnapshot().getElement()) {
			Node node = new Node(ed);
			String id = ed.getId();
			byId.put(id, node);
			if (root == null) {
				root = node;
				continue;
			}
			int dot = id.lastIndexOf('.');
			int colon = id.lastIndexOf(':');
			if (colon > dot) {
				Node sliced = byId.get(id.substring(0, colon));
				if (sliced == null) {
					return null;
				}
				sliced.slices.add(node);
			}
			else {
				Node parent = byId.get(id.substring(0, dot));
				if (parent == null) {
					return null;
				}
				parent.children.add(node);
			}
		}
		for (Node node : byId.values()) {
			if (!node.slices.isEmpty() && !discriminate(node)) {
				return null;
			}
		}
		return root;
	}

	/**
	 * Works out each slice's discriminator values. Compiled: value discriminators on a
	 * path of element names with a fixed value at its end (or an extension slice's
	 * profile URL), and type discriminators on a choice ({@code $this}).
	 */
	private boolean discriminate(Node sliced) {
		var slicing = sliced.ed.getSlicing();
		if (slicing.getOrdered() || slicing.getDiscriminator().isEmpty()) {
			return false;
		}
		for (var d : slicing.getDiscriminator()) {
			boolean type = d.getType() == ElementDefinition.DiscriminatorType.TYPE && d.getPath().equals("$this");
			if (!type && (d.getType() != ElementDefinition.DiscriminatorType.VALUE
					|| !d.getPath().matches("[a-z][A-Za-z]*(\\.[a-z][A-Za-z]*)*"))) {
				return false;
			}
			sliced.discriminators.add(type ? null : d.getPath());
		}
		for (Node slice : sliced.slices) {
			for (String path : sliced.discriminators) {
				String value = path == null ? onlyType(slice) : fixedAt(slice, path);
				if (value == null) {
					return false;
				}
				slice.discriminatorValues.add(value);
			}
		}
		return true;
	}

	private static String onlyType(Node slice) {
		return slice.ed.getType().size() == 1 ? slice.ed.getType().get(0).getWorkingCode() : null;
	}

	private static String fixedAt(Node slice, String path) {
		Node node = slice;
		for (String name : path.split("\\.")) {
			node = node == null ? null : node.child(name);
		}
		if (node != null && node.ed.hasFixed() && node.ed.getFixed().isPrimitive()) {
			return node.ed.getFixed().primitiveValue();
		}
		if (node == null && path.equals("url") && slice.ed.getType().size() == 1
				&& slice.ed.getType().get(0).getProfile().size() == 1) {
			return slice.ed.getType().get(0).getProfile().get(0).getValue();
		}
		return null;
	}

	/** Stops the walk at the first element that is invalid or not understood. */
	private static final class Stop extends RuntimeException {

		final Verdict verdict;

		Stop(Verdict verdict, String message) {
			super(message, null, false, false);
			this.verdict = verdict;
		}

	}

	private static Stop invalid(String message) {
		return new Stop(Verdict.INVALID, message);
	}

	private static Stop unknown(String message) {
		return new Stop(Verdict.NOT_UNDERSTOOD, message);
	}

	private final class Walk {

		final Element resource;

		final String profile;

		/**
		 * Each walked element's path in the definition that describes it (e.g.
		 * HumanName.family), for extension contexts.
		 */
		final Map<Element, String> definitionPaths = new IdentityHashMap<>();

		/** Borrowed at the first invariant that needs it, returned after the check. */
		FHIRPathEngine engine;

		private FHIRPathEngine engine() {
			if (engine == null) {
				engine = engines.poll();
				if (engine == null) {
					engine = new FHIRPathEngine(worker);
				}
			}
			return engine;
		}

		Walk(Element resource, String profile) {
			this.resource = resource;
			this.profile = profile;
		}

		/**
		 * What makes HAPI check more than the one profile, or check the resource's text.
		 */
		void resourceLevel() {
			for (String name : List.of("text", "contained", "modifierExtension", "implicitRules", "language")) {
				if (!children(resource, name).isEmpty()) {
					throw unknown(name + " is left to HAPI's validator");
				}
			}
			for (Element meta : children(resource, "meta")) {
				for (Element declared : children(meta, "profile")) {
					if (!profile.equals(declared.primitiveValue())) {
						throw unknown("declares another profile: " + declared.primitiveValue());
					}
				}
			}
			if (resource.fhirType().equals("Bundle")) {
				throw unknown("Bundles are left to HAPI's validator");
			}
		}

		/**
		 * Checks one element against its definition; {@code path} is where it sits in the
		 * resource's definition (for extension contexts).
		 */
		void element(Element e, Node node, String path) {
			ElementDefinition ed = node.ed;
			String type = e.fhirType();
			own(e, node, type);
			Node typeRoot = null;
			if (node.path.indexOf('.') < 0) {
				typeRoot = node;
			}
			else if (isComplex(type) && !(BACKBONE.contains(type) && !node.children.isEmpty())) {
				typeRoot = typeDefinition(ed, type, node.path);
			}
			else if (!type.equals("xhtml")) {
				primitive(e, type, path, node.path);
				if (e.hasChildren()) {
					// a primitive's id and extensions
					typeRoot = typeDefinition(ed, type, node.path);
				}
			}
			else {
				throw unknown("xhtml");
			}
			invariants(e, node);
			if (typeRoot != null && typeRoot != node) {
				invariants(e, typeRoot);
			}
			if (type.equals("Reference")) {
				reference(e, ed);
			}
			if (type.equals("Coding")) {
				coding(e);
			}
			if (type.equals("Quantity") && value(e, "code") != null) {
				String system = value(e, "system");
				if (system == null) {
					throw unknown("a quantity code without a system");
				}
				requireCode(system, value(e, "code"), null);
			}
			List<Node> definitions = !node.children.isEmpty() ? node.children
					: typeRoot == null ? List.of() : typeRoot.children;
			definitionPaths.put(e, node.path);
			childrenOf(e, definitions, path);
		}

		/** What a definition says of the element itself: values, type, binding. */
		private void own(Element e, Node node, String type) {
			ElementDefinition ed = node.ed;
			if (ed.hasFixed()) {
				if (!ed.getFixed().isPrimitive()) {
					throw unknown("a complex fixed value at " + node.path);
				}
				if (!ed.getFixed().primitiveValue().equals(e.primitiveValue())) {
					throw invalid(node.path + " is not its fixed value");
				}
			}
			if (ed.hasPattern() && node.pattern == null) {
				throw unknown("a pattern with a choice at " + node.path);
			}
			if (node.pattern != null && !node.pattern.matches(e)) {
				throw invalid(node.path + " does not match its pattern");
			}
			if (ed.hasMaxLength() && e.hasPrimitiveValue() && e.primitiveValue().length() > ed.getMaxLength()) {
				throw invalid(node.path + " is too long");
			}
			if (ed.hasMinValue() || ed.hasMaxValue()) {
				throw unknown("min/max values at " + node.path);
			}
			if (node.name.endsWith("[x]") && ed.getType().stream().noneMatch(t -> t.getWorkingCode().equals(type))) {
				throw invalid(node.path + " does not allow the type " + type);
			}
			binding(e, ed, type);
		}

		private void childrenOf(Element e, List<Node> definitions, String path) {
			Map<Node, List<Element>> assigned = new HashMap<>();
			if (e.hasChildren()) {
				for (Element child : e.getChildren()) {
					String name = child.getProperty().getName();
					Node definition = null;
					for (Node d : definitions) {
						if (d.name.equals(name)) {
							definition = d;
							break;
						}
					}
					if (definition == null) {
						throw unknown("no definition for " + name + " under " + path);
					}
					assigned.computeIfAbsent(definition, k -> new ArrayList<>()).add(child);
				}
			}
			for (Node d : definitions) {
				List<Element> instances = assigned.getOrDefault(d, List.of());
				d.requireCount(instances.size());
				if (instances.isEmpty()) {
					d.slices.forEach(slice -> slice.requireCount(0));
					continue;
				}
				if (d.name.equals("modifierExtension")) {
					throw unknown("modifier extensions are left to HAPI's validator");
				}
				String childPath = path + "." + d.name;
				if (d.slices.isEmpty() && d.name.equals("extension")) {
					for (Element instance : instances) {
						extension(instance, null, e, path);
					}
				}
				else if (d.slices.isEmpty()) {
					for (Element instance : instances) {
						element(instance, d, childPath);
					}
				}
				else {
					sliced(instances, d, e, path, childPath);
				}
			}
		}

		private void sliced(List<Element> instances, Node d, Element parent, String parentPath, String childPath) {
			Map<Node, Integer> counts = new HashMap<>();
			for (Element instance : instances) {
				List<String> values = new ArrayList<>();
				for (String path : d.discriminators) {
					values.add(path == null ? instance.fhirType() : valueAt(instance, path));
				}
				Node slice = null;
				for (Node s : d.slices) {
					if (s.discriminatorValues.equals(values)) {
						slice = s;
						break;
					}
				}
				if (slice != null) {
					counts.merge(slice, 1, Integer::sum);
					// the sliced element's own rules hold for every slice too
					own(instance, d, instance.fhirType());
					invariants(instance, d);
					if (d.name.equals("extension") && slice.children.isEmpty()) {
						extension(instance, slice, parent, parentPath);
					}
					else {
						element(instance, slice, childPath);
					}
				}
				else if (d.ed.getSlicing().getRules() == ElementDefinition.SlicingRules.CLOSED) {
					throw invalid(childPath + " has an element no slice matches");
				}
				else if (d.name.equals("extension")) {
					extension(instance, null, parent, parentPath);
				}
				else {
					element(instance, d, childPath);
				}
			}
			d.slices.forEach(s -> s.requireCount(counts.getOrDefault(s, 0)));
		}

		/**
		 * Checks an extension against its definition (its slice's, or the one its url
		 * names), and where it may be used.
		 */
		private void extension(Element instance, Node slice, Element parent, String parentPath) {
			String url = slice != null ? slice.discriminatorValues.get(0) : value(instance, "url");
			if (url == null) {
				throw unknown("an extension without a url");
			}
			if (!url.equals(value(instance, "url"))) {
				throw invalid("extension url");
			}
			StructureDefinition sd = worker.fetchResource(StructureDefinition.class, url);
			if (sd == null) {
				throw unknown("an extension without a known definition: " + url);
			}
			if (!allowedHere(sd, parent, parentPath)) {
				throw unknown("the extension " + url + " outside a context we can confirm");
			}
			Node root = definition(url).orElseThrow(() -> unknown("no compiled definition for " + url));
			if (slice != null) {
				invariants(instance, slice);
			}
			element(instance, root, "Extension");
		}

		private boolean allowedHere(StructureDefinition sd, Element parent, String parentPath) {
			for (var context : sd.getContext()) {
				if (context.getType() != StructureDefinition.ExtensionContextType.ELEMENT) {
					continue;
				}
				String expression = context.getExpression();
				if (expression.equals(parentPath) || expression.equals(parent.fhirType())
						|| expression.equals(definitionPaths.get(parent)) || expression.equals("Element")
						|| (parent == resource
								&& (expression.equals("Resource") || expression.equals("DomainResource")))) {
					return true;
				}
			}
			return false;
		}

		private Node typeDefinition(ElementDefinition ed, String type, String path) {
			ElementDefinition.TypeRefComponent ref = null;
			for (var t : ed.getType()) {
				if (t.getWorkingCode().equals(type)) {
					ref = t;
				}
			}
			if (ref == null) {
				if (ed.getType().size() == 1 && ed.getType().get(0).getWorkingCode().equals("Resource")) {
					throw unknown("an inline resource at " + path);
				}
				throw invalid(path + " does not allow the type " + type);
			}
			if (LEFT_TO_HAPI.contains(type)) {
				throw unknown("the type " + type + " is left to HAPI's validator");
			}
			String url = ref.getProfile().size() == 1 ? ref.getProfile().get(0).getValue()
					: ref.getProfile().isEmpty() ? CORE + type : null;
			if (url == null) {
				throw unknown("several type profiles at " + path);
			}
			return definition(url).orElseThrow(() -> unknown("no definition for " + url));
		}

		private void invariants(Element e, Node node) {
			for (var constraint : node.ed.getConstraint()) {
				if (constraint.getSeverity() != ConstraintSeverity.ERROR) {
					continue;
				}
				String key = constraint.getKey();
				boolean holds;
				if (key.equals("ele-1")) {
					holds = e.hasPrimitiveValue() || hasChildrenBesides(e, "id");
				}
				else if (key.equals("ext-1")) {
					holds = !children(e, "extension").isEmpty() != hasValueChild(e);
				}
				else if (key.equals("ref-1")) {
					// a reference into contained resources: those are left to HAPI
					String reference = value(e, "reference");
					holds = reference == null || !reference.startsWith("#");
				}
				else if (key.startsWith("dom-")) {
					// all about contained resources, which are left to HAPI
					holds = true;
				}
				else {
					holds = evaluate(e, constraint.getExpression(), key);
				}
				if (!holds) {
					throw invalid(key + " fails at " + node.path);
				}
			}
		}

		private boolean evaluate(Element e, String expression, String key) {
			ExpressionNode parsed = expressions.computeIfAbsent(expression, x -> Optional.ofNullable(parse(x)))
				.orElseThrow(() -> unknown("the invariant " + key + " cannot be parsed"));
			try {
				return engine().evaluateToBoolean(null, resource, resource, e, parsed);
			}
			catch (RuntimeException ex) {
				throw unknown("the invariant " + key + " cannot be evaluated: " + ex.getMessage());
			}
		}

		private ExpressionNode parse(String expression) {
			try {
				return engine().parse(expression);
			}
			catch (RuntimeException ex) {
				return null;
			}
		}

		private void binding(Element e, ElementDefinition ed, String type) {
			if (!ed.hasBinding() || ed.getBinding().getStrength() != BindingStrength.REQUIRED) {
				return;
			}
			String valueSet = ed.getBinding().getValueSet();
			ValueSet vs = worker.fetchResource(ValueSet.class, valueSet);
			if (vs == null) {
				throw unknown("the value set " + valueSet + " is not known");
			}
			switch (type) {
				case "code" -> {
					if (!inValueSet(vs, null, e.primitiveValue())) {
						throw invalid(e.primitiveValue() + " is not in " + valueSet);
					}
				}
				case "Coding" -> {
					if (!inValueSet(vs, value(e, "system"), value(e, "code"))) {
						throw invalid("a coding not in " + valueSet);
					}
				}
				case "CodeableConcept" -> {
					boolean any = false;
					for (Element coding : children(e, "coding")) {
						any |= inValueSet(vs, value(coding, "system"), value(coding, "code"));
					}
					if (!any) {
						throw invalid("no coding in " + valueSet);
					}
				}
				default -> throw unknown("a required binding on a " + type);
			}
		}

		private boolean inValueSet(ValueSet vs, String system, String code) {
			if (code == null || (system == null && !vs.hasUrl())) {
				return false;
			}
			return memo("vs|" + vs.getUrl() + "|" + system + "|" + code, () -> {
				ValidationResult r = system == null
						? worker.validateCode(options.withGuessSystem(), null, null, code, null, vs)
						: worker.validateCode(options, system, null, code, null, vs);
				return r != null && r.isOk();
			});
		}

		private void coding(Element coding) {
			if (!children(coding, "version").isEmpty() || !children(coding, "userSelected").isEmpty()) {
				throw unknown("a coding's version or userSelected");
			}
			String system = value(coding, "system");
			String code = value(coding, "code");
			if (system == null || code == null) {
				throw unknown("a coding without system or code");
			}
			requireCode(system, code, value(coding, "display"));
		}

		private void requireCode(String system, String code, String display) {
			boolean ok = memo("cs|" + system + "|" + code + "|" + display, () -> {
				// HAPI's validator does not check codes of systems the terminology
				// services do not support (SNOMED CT here)
				if (!worker.getTxSupportInfo(system, null).isSupported()) {
					return true;
				}
				ValidationResult r = worker.validateCode(options, system, null, code, display);
				return r != null && r.isOk();
			});
			if (!ok) {
				throw invalid("the code " + system + "|" + code + " is not known to be valid");
			}
		}

		private boolean memo(String key, BooleanSupplier compute) {
			Boolean known = codings.get(key);
			if (known == null) {
				known = compute.getAsBoolean();
				if (codings.size() < MEMO_LIMIT) {
					codings.put(key, known);
				}
			}
			return known;
		}

		private void reference(Element e, ElementDefinition ed) {
			String reference = value(e, "reference");
			String declared = value(e, "type");
			if (!children(e, "type").isEmpty() && (declared == null || !REFERENCE_TYPE.matcher(declared).matches())) {
				throw unknown("a Reference.type that is not a resource type name");
			}
			String type;
			if (reference == null || URN_UUID.matcher(reference).matches()) {
				if (declared == null) {
					return;
				}
				type = declared;
			}
			else {
				var m = REFERENCE.matcher(reference);
				if (!m.matches()) {
					throw unknown("a reference that is not Type/id: " + reference);
				}
				type = m.group(1);
				if (declared != null && !declared.equals(type)) {
					throw invalid("Reference.type " + declared + " beside a reference to a " + type);
				}
			}
			if (worker.fetchResource(StructureDefinition.class, CORE + type) == null) {
				throw invalid("no resource type " + type);
			}
			Set<String> allowed = new HashSet<>();
			for (var t : ed.getType()) {
				if (!t.getWorkingCode().equals("Reference")) {
					continue;
				}
				if (!t.hasTargetProfile()) {
					return;
				}
				for (var target : t.getTargetProfile()) {
					StructureDefinition sd = worker.fetchResource(StructureDefinition.class, target.getValue());
					if (sd == null) {
						throw unknown("an unknown target profile " + target.getValue());
					}
					allowed.add(sd.getType());
				}
			}
			if (!allowed.contains(type) && !allowed.contains("Resource")) {
				throw invalid("a reference to a " + type + " where " + allowed + " is expected");
			}
		}

		private void primitive(Element e, String type, String path, String definitionPath) {
			if (!e.hasPrimitiveValue()) {
				return;
			}
			String v = e.primitiveValue();
			if (type.startsWith(SYSTEM_TYPE)) {
				if (v.isBlank()) {
					throw invalid("an empty " + path);
				}
				if (path.endsWith(".id") && !path.contains(".extension") && !ID.matcher(v).matches()) {
					throw invalid("an id that is not one");
				}
				return;
			}
			boolean ok = switch (type) {
				case "boolean" -> v.equals("true") || v.equals("false");
				case "integer" -> INTEGER.matcher(v).matches() && fitsInt(v, Integer.MIN_VALUE);
				case "positiveInt" -> INTEGER.matcher(v).matches() && fitsInt(v, 1);
				case "unsignedInt" -> INTEGER.matcher(v).matches() && fitsInt(v, 0);
				case "decimal" -> DECIMAL.matcher(v).matches();
				case "string", "markdown" -> plainText(v);
				case "code" -> CODE.matcher(v).matches() && plainText(v);
				case "id" -> ID.matcher(v).matches();
				// a relative URI only as Reference.type's resource type name
				case "uri" -> URI.matcher(v).matches()
						|| (definitionPath.equals("Reference.type") && REFERENCE_TYPE.matcher(v).matches());
				// meta.profile is checked to be the profile validated against
				case "canonical" -> path.endsWith(".meta.profile") && v.equals(profile);
				case "date" -> date(v, DATE);
				case "dateTime" -> date(v, DATE_TIME);
				case "instant" -> v.length() > 19 && date(v, DATE_TIME);
				default -> throw unknown("the primitive type " + type + " at " + path);
			};
			if (!ok) {
				throw unknown("the " + type + " value at " + path + " is left to HAPI's validator");
			}
		}

	}

	private static boolean fitsInt(String v, long min) {
		long n = Long.parseLong(v);
		return n >= min && n <= Integer.MAX_VALUE;
	}

	/** No control characters, no leading or trailing white space, at most 1 MB. */
	private static boolean plainText(String v) {
		if (v.isEmpty() || v.length() > 1024 * 1024 || Character.isWhitespace(v.charAt(0))
				|| Character.isWhitespace(v.charAt(v.length() - 1))) {
			return false;
		}
		for (int i = 0; i < v.length(); i++) {
			char c = v.charAt(i);
			if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') {
				return false;
			}
		}
		return true;
	}

	/** The pattern, and a day that exists in its month. */
	private static boolean date(String v, Pattern pattern) {
		var m = pattern.matcher(v);
		if (!m.matches()) {
			return false;
		}
		int year = Integer.parseInt(m.group(1));
		if (year < 1800 || year > 2200) {
			return false;
		}
		if (m.group(5) != null) {
			try {
				LocalDate.of(year, Integer.parseInt(m.group(3)), Integer.parseInt(m.group(5)));
			}
			catch (DateTimeException e) {
				return false;
			}
		}
		return true;
	}

	private static boolean isComplex(String type) {
		return !type.isEmpty() && Character.isUpperCase(type.charAt(0));
	}

	/**
	 * A pattern compiled once: a primitive value to equal, or named values each of which
	 * one of the element's children must match.
	 */
	private record PatternValue(String primitive, boolean decimal, List<Map.Entry<String, PatternValue>> parts) {

		/** Null for a pattern the checker does not compile (a choice inside it). */
		static PatternValue of(Base pattern) {
			if (pattern.isPrimitive()) {
				return new PatternValue(pattern.primitiveValue(), pattern.fhirType().equals("decimal"), List.of());
			}
			List<Map.Entry<String, PatternValue>> parts = new ArrayList<>();
			for (var property : pattern.children()) {
				for (Base wanted : property.getValues()) {
					if (wanted == null || wanted.isEmpty()) {
						continue;
					}
					PatternValue part = property.getName().endsWith("[x]") ? null : of(wanted);
					if (part == null) {
						return null;
					}
					parts.add(Map.entry(property.getName(), part));
				}
			}
			return new PatternValue(null, false, List.copyOf(parts));
		}

		boolean matches(Element e) {
			if (primitive != null) {
				if (!e.hasPrimitiveValue()) {
					return false;
				}
				return decimal ? new BigDecimal(primitive).compareTo(new BigDecimal(e.primitiveValue())) == 0
						: primitive.equals(e.primitiveValue());
			}
			for (Map.Entry<String, PatternValue> part : parts) {
				boolean found = false;
				for (Element candidate : children(e, part.getKey())) {
					if (part.getValue().matches(candidate)) {
						found = true;
						break;
					}
				}
				if (!found) {
					return false;
				}
			}
			return true;
		}

	}

	private static boolean hasChildrenBesides(Element e, String name) {
		if (!e.hasChildren()) {
			return false;
		}
		for (Element c : e.getChildren()) {
			if (!c.getName().equals(name)) {
				return true;
			}
		}
		return false;
	}

	private static boolean hasValueChild(Element e) {
		if (!e.hasChildren()) {
			return false;
		}
		for (Element c : e.getChildren()) {
			if (c.getProperty().getName().equals("value[x]")) {
				return true;
			}
		}
		return false;
	}

	private static List<Element> children(Element parent, String name) {
		return parent.hasChildren() ? parent.getChildrenByName(name) : List.of();
	}

	/**
	 * The one primitive value at a path of element names; where there are several, the
	 * slice cannot be told here.
	 */
	private static String valueAt(Element e, String path) {
		List<Element> found = List.of(e);
		for (String name : path.split("\\.")) {
			List<Element> next = new ArrayList<>();
			for (Element f : found) {
				next.addAll(children(f, name));
			}
			found = next;
		}
		if (found.size() > 1) {
			throw unknown("several values at the discriminator " + path);
		}
		return found.size() == 1 && found.get(0).hasPrimitiveValue() ? found.get(0).primitiveValue() : null;
	}

	private static String value(Element parent, String name) {
		List<Element> found = children(parent, name);
		return found.size() == 1 && found.get(0).hasPrimitiveValue() ? found.get(0).primitiveValue() : null;
	}

}
