package nl.kansrijkestart.gateway.ingest;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import ca.uhn.fhir.util.FhirTerser;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import nl.kansrijkestart.gateway.ingest.References.ReferenceSite;
import nl.kansrijkestart.gateway.security.OrganizationIdentifier;
import nl.kansrijkestart.gateway.store.IndexEntries;
import nl.kansrijkestart.gateway.store.ResourceStore;
import nl.kansrijkestart.gateway.store.ResourceWrite;
import nl.kansrijkestart.gateway.store.SearchIndexer;
import nl.kansrijkestart.gateway.store.StoredResource;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * Plans and applies one atomic set of writes inside the caller's database transaction:
 * resolves target ids (conditional create and update), rewrites placeholder references,
 * detects no-op resends, checks identifier ownership and optimistic locks, then stores
 * the new versions and one Provenance. Everything is confined to the submitting
 * organisation's partition: another organisation's resources are invisible here, as if
 * they did not exist. Not thread-safe: one instance per attempt.
 */
class UnitOfWork {

	private static final Pattern ID = Pattern.compile("[A-Za-z0-9\\-.]{1,64}");

	private static final Pattern ETAG = Pattern.compile("(W/)?\"?([0-9]+)\"?");

	private final ResourceStore store;

	private final SearchIndexer indexer;

	private final ResourceCodec codec;

	private final FhirTerser terser;

	private final String fingerprint;

	private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

	private final OrganizationIdentifier organization;

	private final String owner;

	private final IngestSource source;

	private final Map<String, String> placeholders = new HashMap<>();

	private final Map<String, StoredResource> current = new HashMap<>();

	/**
	 * Conditional lookups by system-qualified identifier, asked at most once per unit.
	 */
	private final Map<ResourceStore.IdentifierKey, List<String>> identifierMatches = new HashMap<>();

	private record Target(EntryRequest entry, String type, String id, boolean matchedExisting, boolean conditional) {
		String ref() {
			return type + "/" + id;
		}
	}

	UnitOfWork(ResourceStore store, SearchIndexer indexer, ResourceCodec codec, FhirTerser terser, String fingerprint,
			OrganizationIdentifier organization, IngestSource source) {
		this.organization = organization;
		this.source = source;
		this.owner = organization.token();
		this.store = store;
		this.indexer = indexer;
		this.codec = codec;
		this.terser = terser;
		this.fingerprint = fingerprint;
	}

	List<EntryOutcome> execute(List<EntryRequest> entries) {
		prefetchIdentifierMatches(entries);
		List<Target> targets = resolveTargets(entries);
		loadCurrent(targets);
		Set<String> inThisUnit = targets.stream().map(Target::ref).collect(Collectors.toSet());
		List<ResourceWrite> writes = new ArrayList<>();
		List<EntryOutcome> outcomes = new ArrayList<>();
		for (Target t : targets) {
			StoredResource existing = current.get(t.ref());
			if (existing == null && !t.entry().method().equals("POST") && !t.conditional()) {
				// No update-as-create with client ids: "not found" must not tell another
				// organisation's id from a free one.
				throw new ResourceNotFoundException("Entry " + t.entry().index() + ": " + t.ref() + " is not known");
			}
			if (t.matchedExisting()) {
				outcomes.add(new EntryOutcome(t.entry().index(), 200, t.type(), t.id(), existing.version(),
						existing.lastUpdated(), null));
				continue;
			}
			// A copy: a retried attempt must start again from what the client sent.
			Resource resource = t.entry().resource().copy();
			resolveReferences(t.entry(), resource, inThisUnit, targets);
			resource.setId(t.type() + "/" + t.id());
			resource.getMeta().setVersionId(null);
			resource.getMeta().setLastUpdated(null);
			String profile = t.entry().validation().profile();
			if (!resource.getMeta().hasProfile(profile)) {
				resource.getMeta().addProfile(profile);
			}
			checkIfMatch(t, existing);
			// Stored without meta.versionId/lastUpdated (see ResourceCodec.parse): one
			// encoding serves hash and storage.
			String json = codec.encode(resource);
			String hash = ResourceCodec.sha256(json);
			if (existing != null && hash.equals(existing.contentHash())) {
				outcomes.add(new EntryOutcome(t.entry().index(), 200, t.type(), t.id(), existing.version(),
						existing.lastUpdated(), null));
				continue;
			}
			long version = existing == null ? 1 : existing.version() + 1;
			writes.add(new ResourceWrite(t.type(), t.id(), version, existing == null ? 0 : existing.version(), now,
					t.entry().method(), profile, json, hash, t.entry().validation().sourceHash(), fingerprint,
					indexer.index(resource), owner));
			resource.getMeta().setVersionId(Long.toString(version));
			resource.getMeta().setLastUpdatedElement(new InstantType(java.util.Date.from(now)));
			outcomes.add(new EntryOutcome(t.entry().index(), existing == null ? 201 : 200, t.type(), t.id(), version,
					now, resource));
		}
		checkIdentifierOwnership(writes);
		if (!writes.isEmpty()) {
			writes.add(provenance(writes));
		}
		store.apply(writes);
		return outcomes;
	}

	private List<Target> resolveTargets(List<EntryRequest> entries) {
		List<Target> targets = new ArrayList<>();
		Set<String> seen = new HashSet<>();
		for (EntryRequest e : entries) {
			String type = e.resource().fhirType();
			String url = e.url() == null ? "" : e.url();
			int q = url.indexOf('?');
			String path = q < 0 ? url : url.substring(0, q);
			String[] segments = path.split("/");
			if (!segments[0].equals(type)) {
				throw invalid(e, "request url '" + url + "' does not match the resource type " + type);
			}
			Target target;
			if (e.method().equals("POST")) {
				if (segments.length != 1 || q >= 0) {
					throw invalid(e, "POST takes the url '" + type + "'; use PUT for an update");
				}
				List<String> matches = e.ifNoneExist() == null ? List.of()
						: conditionalMatches(e, type, e.ifNoneExist());
				target = matches.isEmpty() ? new Target(e, type, newId(), false, true)
						: new Target(e, type, matches.get(0), true, true);
			}
			else if (e.method().equals("PUT")) {
				if (q >= 0) {
					List<String> matches = conditionalMatches(e, type, url.substring(q + 1));
					target = new Target(e, type, matches.isEmpty() ? newId() : matches.get(0), false, true);
				}
				else {
					if (segments.length != 2 || !ID.matcher(segments[1]).matches()) {
						throw invalid(e,
								"PUT takes the url '" + type + "/[id]' or '" + type + "?identifier=system|value'");
					}
					if (e.resource().hasIdElement() && e.resource().getIdElement().hasIdPart()
							&& !e.resource().getIdElement().getIdPart().equals(segments[1])) {
						throw invalid(e, "resource id " + e.resource().getIdElement().getIdPart()
								+ " does not match the url id " + segments[1]);
					}
					target = new Target(e, type, segments[1], false, false);
				}
			}
			else {
				throw invalid(e, "method " + e.method() + " is not supported here; use POST or PUT");
			}
			if (!seen.add(target.ref())) {
				throw invalid(e, "more than one entry writes " + target.ref());
			}
			if (e.fullUrl() != null && !e.fullUrl().isBlank()) {
				placeholders.put(e.fullUrl(), target.ref());
			}
			targets.add(target);
		}
		return targets;
	}

	/**
	 * Conditional create/update criteria: {@code identifier=[system|]value} or
	 * {@code _id=id}.
	 */
	private List<String> conditionalMatches(EntryRequest e, String type, String query) {
		String[] pair = query.split("=", 2);
		if (pair.length != 2 || pair[1].isBlank() || query.contains("&")) {
			throw invalid(e,
					"conditional criteria '" + query + "' are not supported: use identifier=system|value or _id=id");
		}
		String value = decode(pair[1]);
		List<String> ids;
		if (pair[0].equals("identifier")) {
			ids = qualified(type, value)
				.map(key -> identifierMatches.computeIfAbsent(key,
						k -> store.idsByIdentifier(k.type(), k.system(), k.value(), owner)))
				.orElseGet(() -> store.idsByIdentifier(type, null, value.substring(value.indexOf('|') + 1), owner));
		}
		else if (pair[0].equals("_id")) {
			ids = store.read(type, value, owner).map(r -> List.of(r.id())).orElse(List.of());
		}
		else {
			throw invalid(e,
					"conditional criteria '" + query + "' are not supported: use identifier=system|value or _id=id");
		}
		if (ids.size() > 1) {
			throw new PreconditionFailedException("Entry " + e.index() + ": criteria '" + query + "' match "
					+ ids.size() + " resources; they must match at most one");
		}
		return ids;
	}

	private void loadCurrent(List<Target> targets) {
		store.readAll(targets.stream().map(Target::ref).toList(), owner)
			.forEach(r -> current.put(r.resourceType() + "/" + r.id(), r));
	}

	private static String decode(String criterion) {
		return java.net.URLDecoder.decode(criterion, java.nio.charset.StandardCharsets.UTF_8);
	}

	/** An identifier criterion's key when it names a system ({@code system|value}). */
	private static Optional<ResourceStore.IdentifierKey> qualified(String type, String value) {
		int bar = value.indexOf('|');
		return bar > 0
				? Optional.of(new ResourceStore.IdentifierKey(type, value.substring(0, bar), value.substring(bar + 1)))
				: Optional.empty();
	}

	/**
	 * The system-qualified identifiers of the entries' conditional urls, looked up in one
	 * query instead of one per entry; every lookup of this unit happens before its
	 * writes, so the answers stay true for the whole unit.
	 */
	private void prefetchIdentifierMatches(List<EntryRequest> entries) {
		Set<ResourceStore.IdentifierKey> keys = new HashSet<>();
		for (EntryRequest e : entries) {
			String url = e.url() == null ? "" : e.url();
			String criteria = e.method().equals("POST") ? e.ifNoneExist()
					: url.indexOf('?') >= 0 ? url.substring(url.indexOf('?') + 1) : null;
			String[] pair = criteria == null ? new String[0] : criteria.split("=", 2);
			if (pair.length == 2 && pair[0].equals("identifier") && !criteria.contains("&")) {
				qualified(e.resource().fhirType(), decode(pair[1])).ifPresent(keys::add);
			}
		}
		identifierMatches.putAll(store.idsByIdentifiers(keys, owner));
	}

	/**
	 * Every reference must lead somewhere inside this request or the caller's partition:
	 * a placeholder of this transaction, a conditional reference that matches,
	 * {@code Type/id} that exists, or (for a person) an identifier that matches one
	 * person. A reference that may point to a person and cannot be resolved is refused:
	 * stored unlinked, it would escape handover, monitoring, the audit trail and the
	 * partition check. References to organisations by identifier (URA, AGB) and to other
	 * servers' non-person resources are kept as sent.
	 */
	private void resolveReferences(EntryRequest e, Resource resource, Set<String> inThisUnit, List<Target> targets) {
		List<String> mustExist = new ArrayList<>();
		for (ReferenceSite site : References.in(terser, resource)) {
			Reference ref = site.reference();
			String value = ref.getReference();
			if (value != null && value.startsWith("#")) {
				continue;
			}
			if (value == null || value.isBlank()) {
				if (site.mayBePerson()) {
					ref.setReference(byIdentifier(e, site, targets));
				}
				continue;
			}
			String mapped = placeholders.get(value);
			if (mapped != null) {
				ref.setReference(mapped);
			}
			else if (value.startsWith("urn:")) {
				throw unprocessable(e, "reference " + value + " does not resolve to any entry of this transaction");
			}
			else if (value.contains("?")) {
				String type = value.substring(0, value.indexOf('?'));
				List<String> ids = conditionalMatches(e, type, value.substring(value.indexOf('?') + 1));
				if (ids.isEmpty()) {
					throw unprocessable(e, "conditional reference " + value + " matches no resource");
				}
				ref.setReference(type + "/" + ids.get(0));
			}
			else if (value.startsWith("http://") || value.startsWith("https://")) {
				if (site.mayBePerson()
						|| References.PERSON_TYPES.stream().anyMatch(t -> value.contains("/" + t + "/"))) {
					throw unprocessable(e, site.path() + ": reference " + value
							+ " points to another server; a person is"
							+ " referenced on this server (Type/id, a placeholder of this transaction, or an identifier)");
				}
			}
			else {
				String[] parts = value.split("/");
				if (parts.length < 2) {
					throw unprocessable(e, "reference " + value + " is not of the form Type/id");
				}
				String base = parts[0] + "/" + parts[1];
				if (!inThisUnit.contains(base)) {
					mustExist.add(base);
				}
			}
		}
		for (String base : mustExist) {
			String[] parts = base.split("/");
			if (!current.containsKey(base) && store.read(parts[0], parts[1], owner).isEmpty()) {
				throw unprocessable(e, "reference " + base + " does not exist on this server");
			}
		}
	}

	/**
	 * A logical reference to a person: the one person with that identifier in this
	 * transaction or the partition.
	 */
	private String byIdentifier(EntryRequest e, ReferenceSite site, List<Target> targets) {
		Reference ref = site.reference();
		if (ref.hasType() && !References.PERSON_TYPES.contains(ref.getType())) {
			// says it is not a person (e.g. a Practitioner by display only): kept as sent
			return null;
		}
		Identifier id = ref.getIdentifier();
		if (!ref.hasIdentifier() || !id.hasValue()) {
			throw unprocessable(e, site.path()
					+ ": a reference to a person needs a reference or an identifier, not only a" + " display");
		}
		String type = ref.hasType() ? ref.getType() : References.typeOfIdentifier(id.getSystem());
		if (type == null) {
			throw unprocessable(e, site.path() + ": a reference by identifier " + id.getSystem()
					+ " needs reference.type (the" + " element may point to a person)");
		}
		if (!References.PERSON_TYPES.contains(type)) {
			// an organisation or professional by its register number (URA, AGB, UZI,
			// BIG): kept as sent
			return null;
		}
		Set<String> matches = new java.util.LinkedHashSet<>();
		for (Target t : targets) {
			if (t.type().equals(type) && terser.getValues(t.entry().resource(), "identifier", Identifier.class)
				.stream()
				.anyMatch(i -> id.getValue().equals(i.getValue())
						&& (!id.hasSystem() || id.getSystem().equals(i.getSystem())))) {
				matches.add(t.ref());
			}
		}
		store.idsByIdentifier(type, id.hasSystem() ? id.getSystem() : null, id.getValue(), owner)
			.forEach(found -> matches.add(type + "/" + found));
		if (matches.size() != 1) {
			throw unprocessable(e,
					site.path() + ": the identifier " + (id.hasSystem() ? id.getSystem() + "|" : "") + "... matches "
							+ (matches.isEmpty() ? "no " + type : matches.size() + " " + type + " resources")
							+ " of your organisation; send the " + type + " in this transaction or reference it as "
							+ type + "/[id]");
		}
		return matches.iterator().next();
	}

	private void checkIfMatch(Target t, StoredResource existing) {
		String ifMatch = t.entry().ifMatch();
		if (ifMatch == null || ifMatch.isBlank()) {
			return;
		}
		var m = ETAG.matcher(ifMatch.trim());
		if (!m.matches()) {
			throw invalid(t.entry(), "If-Match '" + ifMatch + "' is not a version ETag like W/\"3\"");
		}
		long expected = Long.parseLong(m.group(2));
		if (existing == null || existing.version() != expected) {
			throw new PreconditionFailedException("Entry " + t.entry().index() + ": " + t.ref() + " is at version "
					+ (existing == null ? "none" : existing.version()) + ", not " + expected + " (If-Match)");
		}
	}

	private void checkIdentifierOwnership(List<ResourceWrite> writes) {
		Map<ResourceStore.IdentifierKey, String> claimedHere = new HashMap<>();
		for (ResourceWrite w : writes) {
			for (IndexEntries.Identifier id : w.index().identifiers()) {
				String other = claimedHere
					.put(new ResourceStore.IdentifierKey(w.resourceType(), id.system(), id.value()), w.id());
				if (other != null && !other.equals(w.id())) {
					throw new ResourceVersionConflictException("Identifier " + id.system() + "|" + id.value()
							+ " is used by two " + w.resourceType() + " entries of this request");
				}
			}
		}
		// One query for every type's identifiers
		for (var held : store.idsByIdentifiers(claimedHere.keySet(), owner).entrySet()) {
			ResourceStore.IdentifierKey key = held.getKey();
			for (String holder : held.getValue()) {
				if (!holder.equals(claimedHere.get(key))) {
					throw new IdentifierTakenException("Identifier " + key.system() + "|" + key.value()
							+ " already belongs to " + key.type() + "/" + holder + "; update that resource (PUT "
							+ key.type() + "?identifier=...) instead of creating another");
				}
			}
		}
	}

	private ResourceWrite provenance(List<ResourceWrite> writes) {
		Provenance p = new Provenance();
		String id = newId();
		p.setId("Provenance/" + id);
		p.setRecorded(java.util.Date.from(now));
		writes.forEach(w -> p.addTarget(new Reference(w.resourceType() + "/" + w.id() + "/_history/" + w.version())));
		p.setActivity(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/v3-DataOperation",
				writes.stream().allMatch(ResourceWrite::isCreate) ? "CREATE" : "UPDATE", null)));
		p.addAgent()
			.setType(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/provenance-participant-type",
					"author", "Author")))
			.setWho(new Reference()
				.setIdentifier(new Identifier().setSystem(organization.system()).setValue(organization.value())));
		if (source != null) {
			// what the sender sent, and the maps (url|version) that made our resources of
			// it
			p.addEntity()
				.setRole(Provenance.ProvenanceEntityRole.SOURCE)
				.setWhat(new Reference().setDisplay(
						source.format() + (source.messageId() == null ? "" : ", message " + source.messageId())));
			source.maps().forEach(p::addPolicy);
		}
		String json = codec.encode(p);
		return new ResourceWrite("Provenance", id, 1, 0, now, "POST", null, json, ResourceCodec.sha256(json), null,
				null, indexer.index(p), owner);
	}

	/**
	 * Another resource holds an identifier this write claims. Either a concurrent writer
	 * committed the same record after our conditional lookup (a retry then resolves to
	 * it), or the client really duplicates an identifier.
	 */
	static final class IdentifierTakenException extends RuntimeException {

		IdentifierTakenException(String message) {
			super(message);
		}

	}

	private static String newId() {
		return UUID.randomUUID().toString();
	}

	private static InvalidRequestException invalid(EntryRequest e, String message) {
		return new InvalidRequestException("Entry " + e.index() + ": " + message);
	}

	private static UnprocessableEntityException unprocessable(EntryRequest e, String message) {
		return new UnprocessableEntityException("Entry " + e.index() + ": " + message);
	}

}
