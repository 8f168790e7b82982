package nl.kansrijkestart.gateway.ingest;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.UnknownCodeSystemWarningValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirDefaultPolicyAdvisor;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.r5.elementmodel.Element;
import org.hl7.fhir.r5.elementmodel.Manager;
import org.hl7.fhir.r5.elementmodel.ParserBase;
import org.hl7.fhir.r5.elementmodel.ValidatedFragment;
import org.hl7.fhir.r5.model.StructureDefinition;
import org.hl7.fhir.r5.utils.validation.constants.BestPracticeWarningLevel;
import org.hl7.fhir.r5.utils.validation.constants.IdStatus;
import org.hl7.fhir.utilities.validation.ValidationMessage;
import org.hl7.fhir.utilities.xhtml.XhtmlComposer;
import org.hl7.fhir.validation.ValidatorSettings;
import org.hl7.fhir.validation.instance.InstanceValidator;
import org.hl7.fhir.r5.utils.xver.XVerExtensionManagerOld;
import org.hl7.fhir.r5.utils.validation.ValidatorSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Validates request bodies against our profiles, every resource explicitly against the
 * profile {@link ProfileCatalog#select} picks for it.
 *
 * <p>
 * Why it is built this way (see docs/validation.md): HAPI's {@code FhirValidator}
 * constructs a new core {@code InstanceValidator} on every call, about 20–30 ms of fixed
 * cost. Here the conformance resources and worker context are built once, a small pool of
 * {@code InstanceValidator}s is reused (the core validator resets its per-call state at
 * its main entry point, but is not thread-safe, hence the pool), the body is parsed once
 * into the validator's element model and each resource is validated on its own against
 * its profile. A resource whose received content (and profile set) is identical to one
 * already stored skips validation: birth-care systems resend the growing dossier.
 *
 * <p>
 * The core validator was not written to be reused: some of its state only grows (its
 * {@code CodingsObserver} keeps every coding it has seen, with the element tree around
 * it). Each pooled validator is therefore retired after {@link #USES_PER_VALIDATOR}
 * resources, which bounds that memory and costs one construction per retirement.
 */
@Component
public class ProfileValidator {

	private static final Logger log = LoggerFactory.getLogger(ProfileValidator.class);

	private static final Pattern URN_UUID = Pattern
		.compile("urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

	private static final Pattern CONDITIONAL_REFERENCE = Pattern.compile("([A-Z][A-Za-z]+)\\?.+");

	static final int USES_PER_VALIDATOR = 200;

	public enum Format {

		JSON, XML

	}

	private final ProfileCatalog catalog;

	private final XMLInputFactory xmlInputFactory;

	/**
	 * Loading the core definitions and building snapshots takes seconds: it runs once the
	 * server is up, and a validation that arrives before it is done waits for it.
	 */
	private final CompletableFuture<Engine> engine;

	private final Thread warmUp;

	public ProfileValidator(FhirContext fhirContext, ProfileCatalog catalog, IngestProperties properties) {
		this.catalog = catalog;
		this.xmlInputFactory = XMLInputFactory.newFactory();
		xmlInputFactory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
		xmlInputFactory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
		this.engine = new CompletableFuture<>();
		this.warmUp = new Thread(() -> {
			try {
				engine.complete(new Engine(fhirContext, properties.validatorPoolSize(), !properties.hapiValidatorOnly())
					.warmUp());
			}
			catch (RuntimeException | Error e) {
				log.error("The profile validator cannot be built: no write can be accepted", e);
				engine.completeExceptionally(e);
			}
		}, "validator-warm-up");
		warmUp.setDaemon(true);
	}

	/**
	 * Starts building the validator, if not yet begun. The server calls it once it
	 * answers requests: on a small machine the build would otherwise compete for the same
	 * cores with the rest of start-up.
	 */
	@EventListener(ApplicationReadyEvent.class)
	public void warmUp() {
		synchronized (warmUp) {
			if (warmUp.getState() == Thread.State.NEW) {
				warmUp.start();
			}
		}
	}

	/**
	 * Whether validations are served, still wait for the warm-up, or cannot be (health
	 * reports it).
	 */
	public enum State {

		WARMING, READY, FAILED

	}

	public State state() {
		if (!engine.isDone()) {
			return State.WARMING;
		}
		return engine.isCompletedExceptionally() ? State.FAILED : State.READY;
	}

	/**
	 * Waits until the validator is built and warm (or has failed to be built, which is
	 * thrown).
	 */
	public void awaitReady() {
		engine();
	}

	private Engine engine() {
		warmUp();
		try {
			return engine.join();
		}
		catch (CompletionException e) {
			throw new IllegalStateException("The profile validator could not be built", e.getCause());
		}
	}

	/**
	 * The conformance resources, the core validator's worker context and the pooled
	 * validators.
	 */
	private final class Engine {

		final CachingWorkerContext worker;

		final BlockingQueue<PooledValidator> pool;

		final Map<String, StructureDefinition> snapshots = new ConcurrentHashMap<>();

		/**
		 * Reused parsers by format: a new one starts with empty definition caches (its
		 * ProfileUtilities and ContextUtilities), which cost a fifth of the gateway's CPU
		 * when rebuilt per request. A parser keeps no state between parses but is not
		 * thread-safe; there are as many as parses ever ran at once.
		 */
		private final Map<Format, Queue<ParserBase>> parsers = new EnumMap<>(Format.class);

		List<ValidatedFragment> parse(Format format, byte[] body) throws IOException {
			ParserBase parser = parsers.get(format).poll();
			if (parser == null) {
				parser = Manager.makeParser(worker,
						format == Format.XML ? Manager.FhirFormat.XML : Manager.FhirFormat.JSON);
				parser.setupValidation(ParserBase.ValidationPolicy.EVERYTHING);
			}
			List<ValidatedFragment> fragments = parser.parse(new ByteArrayInputStream(body));
			// one that threw is dropped
			parsers.get(format).offer(parser);
			return fragments;
		}

		/** Null when every resource goes to HAPI's validator. */
		final CompiledChecker checker;

		Engine(FhirContext fhirContext, int poolSize, boolean compiledChecker) {
			PrePopulatedValidationSupport ours = new PrePopulatedValidationSupport(fhirContext);
			catalog.structureDefinitions().forEach(ours::addStructureDefinition);
			catalog.valueSets().forEach(ours::addValueSet);
			catalog.codeSystems().forEach(ours::addCodeSystem);
			// SNOMED CT and LOINC are not loadable offline: codes from them are checked
			// against our ValueSets'
			// enumerations and profile patterns; an unknown system elsewhere is a
			// warning, not a rejection.
			UnknownCodeSystemWarningValidationSupport unknownSystems = new UnknownCodeSystemWarningValidationSupport(
					fhirContext);
			unknownSystems
				.setNonExistentCodeSystemSeverity(ca.uhn.fhir.context.support.IValidationSupport.IssueSeverity.WARNING);
			ValidationSupportChain chain = new ValidationSupportChain(ours,
					new DefaultProfileValidationSupport(fhirContext),
					new SnapshotGeneratingValidationSupport(fhirContext),
					new InMemoryTerminologyServerValidationSupport(fhirContext),
					new CommonCodeSystemsTerminologyService(fhirContext), unknownSystems);
			this.worker = new CachingWorkerContext(chain);
			this.pool = new ArrayBlockingQueue<>(poolSize);
			for (int i = 0; i < poolSize; i++) {
				pool.add(new PooledValidator(newInstanceValidator()));
			}
			for (Format format : Format.values()) {
				parsers.put(format, new ConcurrentLinkedQueue<>());
			}
			this.checker = compiledChecker ? new CompiledChecker(worker) : null;
		}

		private InstanceValidator newInstanceValidator() {
			try {
				InstanceValidator v = new InstanceValidator(worker, new FhirInstanceValidator.NullEvaluationContext(),
						new XVerExtensionManagerOld(worker), new ValidatorSession(), new ValidatorSettings());
				v.setAssumeValidRestReferences(true);
				// Reference targets are resolved and checked by the transaction
				// processor, not fetched here.
				v.setPolicyAdvisor(new FhirDefaultPolicyAdvisor());
				v.setAnyExtensionsAllowed(true);
				v.setResourceIdRule(IdStatus.OPTIONAL);
				v.setBestPracticeWarningLevel(BestPracticeWarningLevel.Ignore);
				v.setUnknownCodeSystemsCauseErrors(false);
				v.setNoExtensibleWarnings(true);
				v.setAllowXsiLocation(false);
				return v;
			}
			catch (Exception e) {
				throw new IllegalStateException("Cannot build the FHIR instance validator", e);
			}
		}

		/**
		 * Snapshot generation and the first validation are slow (seconds): done before
		 * the engine is handed out.
		 */
		Engine warmUp() {
			long start = System.nanoTime();
			for (String type : catalog.acceptedTypes()) {
				for (String profile : catalog.profilesFor(type)) {
					snapshot(profile);
				}
				validate(this, ("{\"resourceType\":\"" + type + "\"}").getBytes(StandardCharsets.UTF_8), Format.JSON,
						false, NOTHING_KNOWN);
			}
			log.info("Validator ready: {} profiles, fingerprint {}, warm-up {} ms", snapshots.size(),
					catalog.fingerprint(), (System.nanoTime() - start) / 1_000_000);
			return this;
		}

		StructureDefinition snapshot(String url) {
			return snapshots.computeIfAbsent(url, u -> {
				StructureDefinition sd = worker.fetchResource(StructureDefinition.class, u);
				if (sd == null || !sd.hasSnapshot()) {
					throw new IllegalStateException("Profile " + u + " has no snapshot");
				}
				return sd;
			});
		}

		List<ValidationMessage> run(Element element, String profile, boolean mayUseChecker) {
			if (mayUseChecker && checker != null
					&& checker.check(element, profile).verdict() == CompiledChecker.Verdict.VALID) {
				return List.of();
			}
			StructureDefinition sd = snapshot(profile);
			PooledValidator pooled;
			try {
				pooled = pool.take();
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("Interrupted while waiting for a validator", e);
			}
			boolean failed = false;
			try {
				List<ValidationMessage> messages = new ArrayList<>();
				pooled.validator.validate(null, messages, null, element, new ArrayList<>(List.of(sd)));
				return messages;
			}
			catch (RuntimeException e) {
				// HAPI's validator throws on some bad input (an eleven-digit UCUM code
				// overflows its parser): that is the client's 422, not our 500
				failed = true;
				log.debug("The validator failed on a {}", element.fhirType(), e);
				return List.of(new ValidationMessage(ValidationMessage.Source.InstanceValidator,
						ValidationMessage.IssueType.PROCESSING, element.fhirType(),
						"This resource could not be validated: the validator failed on a value in it "
								+ "(e.g. a unit code it cannot read)",
						ValidationMessage.IssueSeverity.ERROR));
			}
			finally {
				// a validator that threw may be left in any state
				pool.add(!failed && ++pooled.uses < USES_PER_VALIDATOR ? pooled
						: new PooledValidator(newInstanceValidator()));
			}
		}

	}

	/** The profile's snapshot, as the validator uses it. */
	StructureDefinition snapshot(String url) {
		return engine().snapshot(url);
	}

	/**
	 * What the compiled checker alone says of one JSON resource, as {@link #validate}
	 * would ask it (for the differential test).
	 */
	CompiledChecker.Result compiledVerdict(byte[] json) {
		Engine engine = engine();
		if (engine.checker == null) {
			throw new IllegalStateException("The compiled checker is off");
		}
		Element root;
		try {
			List<ValidatedFragment> fragments = engine.parse(Format.JSON, json);
			if (fragments.stream().anyMatch(f -> !f.getErrors().isEmpty())) {
				// as in validate: not asked when the parser reported anything
				return new CompiledChecker.Result(CompiledChecker.Verdict.NOT_UNDERSTOOD, "parse issues");
			}
			root = fragments.get(0).getElement();
		}
		catch (Exception e) {
			return new CompiledChecker.Result(CompiledChecker.Verdict.NOT_UNDERSTOOD, "unreadable: " + e);
		}
		Optional<String> profile = root == null ? Optional.empty()
				: catalog.select(root.fhirType(), declaredProfiles(root), codes(root));
		if (profile.isEmpty()) {
			return new CompiledChecker.Result(CompiledChecker.Verdict.NOT_UNDERSTOOD, "no profile");
		}
		conditionalReferencesAsTyped(root);
		return engine.checker.check(root, profile.get());
	}

	/** For callers without a store: every resource is validated. */
	public static final UnaryOperator<Set<String>> NOTHING_KNOWN = hashes -> Set.of();

	/**
	 * @param bundle true for a transaction or batch Bundle (each entry validated on its
	 * own), false for one resource
	 * @param alreadyValidated of the given source hashes, those stored as valid under
	 * {@link ProfileCatalog#fingerprint()}
	 */
	public ValidationReport validate(byte[] body, Format format, boolean bundle,
			UnaryOperator<Set<String>> alreadyValidated) {
		return validate(engine(), body, format, bundle, alreadyValidated);
	}

	private ValidationReport validate(Engine engine, byte[] body, Format format, boolean bundle,
			UnaryOperator<Set<String>> alreadyValidated) {
		List<ValidationIssue> issues = new ArrayList<>();
		if (format == Format.XML && hasDoctype(body, issues)) {
			return new ValidationReport(true, null, issues, List.of(), catalog.fingerprint());
		}
		Element root;
		try {
			List<ValidatedFragment> fragments = engine.parse(format, body);
			root = fragments.isEmpty() ? null : fragments.get(0).getElement();
			for (ValidatedFragment fragment : fragments) {
				fragment.getErrors().forEach(m -> issues.add(toIssue(m, null, null)));
			}
		}
		catch (Exception e) {
			issues.add(new ValidationIssue(ValidationIssue.Severity.FATAL, "structure",
					"The body is not a readable FHIR " + format + " resource: " + firstLine(e.getMessage()), null, 0,
					0));
			return new ValidationReport(true, null, issues, List.of(), catalog.fingerprint());
		}
		boolean fatal = issues.stream().anyMatch(i -> i.severity() == ValidationIssue.Severity.FATAL);
		if (root == null || fatal) {
			if (issues.isEmpty()) {
				issues.add(new ValidationIssue(ValidationIssue.Severity.FATAL, "structure",
						"The body holds no FHIR resource", null, 0, 0));
			}
			return new ValidationReport(true, null, issues, List.of(), catalog.fingerprint());
		}
		Map<Integer, Element> resources = new LinkedHashMap<>();
		if (bundle) {
			if (!root.fhirType().equals("Bundle")) {
				issues.add(new ValidationIssue(ValidationIssue.Severity.FATAL, "structure",
						"Expected a transaction or batch Bundle but got " + root.fhirType(), root.fhirType(), 0, 0));
				return new ValidationReport(true, null, issues, List.of(), catalog.fingerprint());
			}
			List<Element> entries = children(root, "entry");
			for (int i = 0; i < entries.size(); i++) {
				Element resource = child(entries.get(i), "resource");
				if (resource != null) {
					resources.put(i, resource);
				}
			}
		}
		else {
			resources.put(0, root);
		}
		List<ValidatedEntry> entries = validateResources(engine, resources, bundle, issues, alreadyValidated);
		Element type = bundle ? child(root, "type") : null;
		return new ValidationReport(false, type == null ? null : type.primitiveValue(), issues, entries,
				catalog.fingerprint());
	}

	private List<ValidatedEntry> validateResources(Engine engine, Map<Integer, Element> resources, boolean bundle,
			List<ValidationIssue> issues, UnaryOperator<Set<String>> alreadyValidated) {
		record Pending(int index, Element element, String profile, String hash) {
		}
		List<Pending> pending = new ArrayList<>();
		for (Map.Entry<Integer, Element> e : resources.entrySet()) {
			Element element = e.getValue();
			String type = element.fhirType();
			String prefix = bundle ? "Bundle.entry[" + e.getKey() + "].resource" : type;
			Optional<String> profile = catalog.select(type, declaredProfiles(element), codes(element));
			if (profile.isEmpty()) {
				String message = catalog.profilesFor(type).isEmpty()
						? "Resource type " + type + " is not accepted by this gateway; accepted: "
								+ catalog.acceptedTypes()
						: "No Kansrijke Start profile for this " + type + " (code " + codes(element)
								+ "); declare one of " + catalog.profilesFor(type) + " in meta.profile";
				issues.add(new ValidationIssue(ValidationIssue.Severity.ERROR, "not-supported", message, prefix,
						element.line(), element.col()));
				continue;
			}
			pending.add(new Pending(e.getKey(), element, profile.get(), sourceHash(element, profile.get())));
		}
		Set<String> known = pending.isEmpty() ? Set.of()
				: alreadyValidated.apply(pending.stream().map(Pending::hash).collect(Collectors.toSet()));
		// the checker sees the parsed tree only: where the parser dropped or reported
		// something, HAPI's validator judges (and its messages stay as they were)
		boolean parsedCleanly = issues.isEmpty();
		List<ValidatedEntry> out = new ArrayList<>();
		for (Pending p : pending) {
			boolean revalidate = !known.contains(p.hash());
			if (revalidate) {
				conditionalReferencesAsTyped(p.element());
				String prefix = bundle ? "Bundle.entry[" + p.index() + "].resource" : null;
				engine.run(p.element(), p.profile(), parsedCleanly)
					.forEach(m -> issues.add(toIssue(m, p.element().fhirType(), prefix)));
			}
			out.add(new ValidatedEntry(p.index(), p.element().fhirType(), p.profile(), p.hash(), revalidate));
		}
		return out;
	}

	private static final class PooledValidator {

		final InstanceValidator validator;

		int uses;

		PooledValidator(InstanceValidator validator) {
			this.validator = validator;
		}

	}

	private static List<String> declaredProfiles(Element resource) {
		Element meta = child(resource, "meta");
		return meta == null ? List.of() : children(meta, "profile").stream().map(Element::primitiveValue).toList();
	}

	private static List<String> codes(Element resource) {
		List<String> codes = new ArrayList<>();
		for (String name : List.of("code", "type")) {
			// a primitive "type" (Bundle.type) has no children and so no codings
			for (Element concept : children(resource, name)) {
				for (Element coding : children(concept, "coding")) {
					Element system = child(coding, "system");
					Element code = child(coding, "code");
					if (system != null && code != null) {
						codes.add(system.primitiveValue() + "|" + code.primitiveValue());
					}
				}
			}
		}
		return codes;
	}

	/**
	 * Hash of the resource as received plus its profile. Valid urn:uuid values are
	 * normalised: clients mint new placeholders on every send, and swapping one
	 * well-formed UUID for another cannot change the outcome.
	 */
	static String sourceHash(Element element, String profile) {
		MessageDigest digest;
		try {
			digest = MessageDigest.getInstance("SHA-256");
		}
		catch (Exception e) {
			throw new IllegalStateException(e);
		}
		digest.update(profile.getBytes(StandardCharsets.UTF_8));
		hashInto(element, digest);
		return HexFormat.of().formatHex(digest.digest());
	}

	private static void hashInto(Element element, MessageDigest digest) {
		digest.update((byte) '{');
		digest.update(element.getName().getBytes(StandardCharsets.UTF_8));
		digest.update((byte) ':');
		digest.update(element.fhirType().getBytes(StandardCharsets.UTF_8));
		// A narrative is a node tree, not a string value (Element.getValue() throws for
		// xhtml).
		String value = element.getXhtml() != null ? new XhtmlComposer(true).compose(element.getXhtml())
				: element.getValue();
		if (value != null) {
			digest.update((byte) '=');
			digest.update(URN_UUID.matcher(value).replaceAll("urn:uuid:").getBytes(StandardCharsets.UTF_8));
		}
		if (element.hasChildren()) {
			for (Element child : element.getChildren()) {
				hashInto(child, digest);
			}
		}
		digest.update((byte) '}');
	}

	/**
	 * A conditional reference ({@code Patient?identifier=...|...}) is resolved by the
	 * transaction, not by the validator, which would read the query as a URL and its type
	 * as the last path segment ("NamingSystem"). The validator sees
	 * {@code Type/conditional} instead, so the reference's type is still checked against
	 * the profile. Runs after the source hash is taken.
	 */
	private static void conditionalReferencesAsTyped(Element element) {
		if (!element.hasChildren()) {
			return;
		}
		for (Element child : element.getChildren()) {
			if (child.getName().equals("reference") && child.isPrimitive() && child.primitiveValue() != null) {
				var m = CONDITIONAL_REFERENCE.matcher(child.primitiveValue());
				if (m.matches()) {
					child.setValue(m.group(1) + "/conditional");
				}
			}
			conditionalReferencesAsTyped(child);
		}
	}

	/**
	 * The element model's child lookups fail on an element without children (e.g.
	 * {@code "meta": {}}).
	 */
	private static List<Element> children(Element parent, String name) {
		return parent.hasChildren() ? parent.getChildrenByName(name) : List.of();
	}

	private static Element child(Element parent, String name) {
		return parent.hasChildren() ? parent.getNamedChild(name) : null;
	}

	private boolean hasDoctype(byte[] body, List<ValidationIssue> issues) {
		try {
			XMLStreamReader reader = xmlInputFactory.createXMLStreamReader(new ByteArrayInputStream(body));
			try {
				while (reader.hasNext()) {
					int event = reader.next();
					if (event == XMLStreamConstants.DTD || event == XMLStreamConstants.ENTITY_REFERENCE) {
						issues.add(new ValidationIssue(ValidationIssue.Severity.FATAL, "security",
								"XML with a document type declaration or entity reference is not accepted", null,
								reader.getLocation().getLineNumber(), reader.getLocation().getColumnNumber()));
						return true;
					}
				}
			}
			finally {
				reader.close();
			}
			return false;
		}
		catch (XMLStreamException e) {
			issues.add(new ValidationIssue(ValidationIssue.Severity.FATAL, "structure",
					"The body is not well-formed XML: " + firstLine(e.getMessage()), null, 0, 0));
			return true;
		}
	}

	private static ValidationIssue toIssue(ValidationMessage m, String resourceType, String prefix) {
		String location = m.getLocation();
		if (prefix != null && location != null && resourceType != null && location.startsWith(resourceType)) {
			location = prefix + location.substring(resourceType.length());
		}
		ValidationIssue.Severity severity = switch (m.getLevel()) {
			case FATAL -> ValidationIssue.Severity.FATAL;
			case ERROR -> ValidationIssue.Severity.ERROR;
			case WARNING -> ValidationIssue.Severity.WARNING;
			default -> ValidationIssue.Severity.INFORMATION;
		};
		String code = m.getType() == null ? "invalid" : m.getType().toCode();
		return new ValidationIssue(severity, code, m.getMessage(), location, m.getLine(), m.getCol());
	}

	private static String firstLine(String message) {
		if (message == null) {
			return "unreadable";
		}
		int nl = message.indexOf('\n');
		return nl < 0 ? message : message.substring(0, nl);
	}

}
