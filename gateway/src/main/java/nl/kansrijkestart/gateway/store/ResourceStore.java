package nl.kansrijkestart.gateway.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

/**
 * Resource versions in PostgreSQL: the current version as JSONB, every version in
 * history, identifiers under a uniqueness constraint and the search index tables. Writes
 * join the caller's transaction.
 */
@Repository
public class ResourceStore {

	/**
	 * References ({@code Type/id}) as a table {@code k(resource_type, id)}:
	 * {@link #typesAndIds} binds it.
	 */
	private static final String REF_KEYS = "unnest(?::text[], ?::text[]) as k(resource_type, id)";

	private static final String COLUMNS = "r.resource_type, r.id, r.version, r.last_updated, r.profile, r.content::text,"
			+ " r.content_hash, r.owner";

	private static final String HISTORY_COLUMNS = "h.resource_type, h.id, h.version, h.last_updated, null, h.content::text, null,"
			+ " r.owner";

	private static final RowMapper<StoredResource> ROW = ResourceStore::mapRow;

	private final JdbcTemplate jdbc;

	public ResourceStore(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * The current version, if it exists in the partition: {@code owner} is an
	 * organisation's {@code system|value}, or null for no partition (administrative
	 * access). Another partition's resource reads as absent.
	 */
	public Optional<StoredResource> read(String type, String id, String owner) {
		return jdbc
			.query("select " + COLUMNS + " from resource r where r.resource_type = ? and r.id = ?" + inPartition(owner),
					ROW, withOwner(owner, type, id))
			.stream()
			.findFirst();
	}

	public Optional<StoredResource> readVersion(String type, String id, long version, String owner) {
		return jdbc
			.query("select " + HISTORY_COLUMNS
					+ " from resource_history h join resource r on r.resource_type = h.resource_type"
					+ " and r.id = h.id where h.resource_type = ? and h.id = ? and h.version = ?" + inPartition(owner),
					ROW, withOwner(owner, type, id, version))
			.stream()
			.findFirst();
	}

	/** All versions, newest first; empty when the resource is not in the partition. */
	public List<StoredResource> history(String type, String id, String owner) {
		return jdbc.query("select " + HISTORY_COLUMNS
				+ " from resource_history h join resource r on r.resource_type = h.resource_type"
				+ " and r.id = h.id where h.resource_type = ? and h.id = ?" + inPartition(owner)
				+ " order by h.version desc", ROW, withOwner(owner, type, id));
	}

	public List<StoredResource> readAll(String type, Collection<String> ids, String owner) {
		if (ids.isEmpty()) {
			return List.of();
		}
		return jdbc.query("select " + COLUMNS + " from resource r where r.resource_type = ? and r.id = any(?)"
				+ inPartition(owner), ROW, withOwner(owner, type, ids.toArray(String[]::new)));
	}

	/**
	 * The partition's resources with these references ({@code Type/id}), whatever their
	 * types, in one query.
	 */
	public List<StoredResource> readAll(Collection<String> refs, String owner) {
		if (refs.isEmpty()) {
			return List.of();
		}
		return jdbc.query(
				"select " + COLUMNS + " from resource r join " + REF_KEYS
						+ " on r.resource_type = k.resource_type and r.id = k.id where true" + inPartition(owner),
				ROW, withOwner(owner, typesAndIds(refs)));
	}

	/** The two arrays {@link #REF_KEYS} takes: the references' types and their ids. */
	private static Object[] typesAndIds(Collection<String> refs) {
		return new Object[] { refs.stream().map(r -> r.substring(0, r.indexOf('/'))).toArray(String[]::new),
				refs.stream().map(r -> r.substring(r.indexOf('/') + 1)).toArray(String[]::new) };
	}

	/** A conditional lookup's key: a resource type and a system-qualified identifier. */
	public record IdentifierKey(String type, String system, String value) {
	}

	/**
	 * The ids of the partition's resources holding each of these identifiers, for many
	 * types in one query; a key nothing holds maps to an empty list.
	 */
	public Map<IdentifierKey, List<String>> idsByIdentifiers(Collection<IdentifierKey> keys, String owner) {
		Map<IdentifierKey, List<String>> ids = new HashMap<>();
		keys.forEach(k -> ids.put(k, new ArrayList<>()));
		if (keys.isEmpty()) {
			return ids;
		}
		jdbc.query("select i.resource_type, i.system, i.value, i.id from resource_identifier i"
				+ " join unnest(?::text[], ?::text[], ?::text[]) as k(resource_type, system, value)"
				+ " on i.resource_type = k.resource_type and i.system = k.system and i.value = k.value where i.owner = ?",
				rs -> {
					ids.get(new IdentifierKey(rs.getString(1), rs.getString(2), rs.getString(3))).add(rs.getString(4));
				}, keys.stream().map(IdentifierKey::type).toArray(String[]::new),
				keys.stream().map(IdentifierKey::system).toArray(String[]::new),
				keys.stream().map(IdentifierKey::value).toArray(String[]::new), owner);
		return ids;
	}

	/**
	 * The condition confining {@code r} to a partition; none for administrative access
	 * (null owner).
	 */
	private static String inPartition(String owner) {
		return owner == null ? "" : " and r.owner = ?";
	}

	private static Object[] withOwner(String owner, Object... args) {
		if (owner == null) {
			return args;
		}
		Object[] all = java.util.Arrays.copyOf(args, args.length + 1);
		all[args.length] = owner;
		return all;
	}

	/**
	 * The ids of the partition's resources of a type holding an identifier with this
	 * value (and system, when given).
	 */
	public List<String> idsByIdentifier(String type, String system, String value, String owner) {
		if (system != null) {
			// The primary key answers this directly.
			return jdbc
				.queryForList("select id from resource_identifier where resource_type = ? and owner = ? and system = ?"
						+ " and value = ?", String.class, type, owner, system, value);
		}
		return jdbc.queryForList(
				"select distinct t.id from search_token t where t.resource_type = ? and t.param = 'identifier'"
						+ " and t.code = ? and exists (select 1 from resource r where r.resource_type = t.resource_type and r.id = t.id"
						+ " and r.owner = ?)",
				String.class, type, value, owner);
	}

	/**
	 * Across every partition: the ids of resources of a type holding this identifier. For
	 * decisions about a person (whose consent holds whoever recorded it), never for what
	 * a client may see.
	 */
	public List<String> idsByIdentifierInAnyPartition(String type, String system, String value) {
		return jdbc.queryForList(
				"select id from resource_identifier where resource_type = ? and system = ? and value = ?", String.class,
				type, system, value);
	}

	/**
	 * Across every partition: current versions of a type that reference one of these
	 * targets through a parameter.
	 */
	public List<StoredResource> referencing(String type, String param, String targetType,
			Collection<String> targetIds) {
		if (targetIds.isEmpty()) {
			return List.of();
		}
		return jdbc.query(
				"select " + COLUMNS + " from resource r where r.resource_type = ? and exists (select 1 from"
						+ " search_reference s where s.resource_type = r.resource_type and s.id = r.id and s.param = ?"
						+ " and s.target_type = ? and s.target_id = any(?))",
				ROW, type, param, targetType, targetIds.toArray(String[]::new));
	}

	/** A reference search parameter of a resource type, e.g. Observation's subject. */
	public record ReferenceParam(String type, String param) {
	}

	/**
	 * Resources of several types that point at any of these targets by the given
	 * parameters, in one query.
	 */
	public List<StoredResource> referencing(Collection<ReferenceParam> params, String targetType,
			Collection<String> targetIds) {
		if (params.isEmpty() || targetIds.isEmpty()) {
			return List.of();
		}
		return jdbc.query("select " + COLUMNS
				+ " from resource r where (r.resource_type, r.id) in (select s.resource_type,"
				+ " s.id from search_reference s join unnest(?::text[], ?::text[]) as k(resource_type, param)"
				+ " on s.resource_type = k.resource_type and s.param = k.param where s.target_type = ? and s.target_id = any(?))",
				ROW, params.stream().map(ReferenceParam::type).toArray(String[]::new),
				params.stream().map(ReferenceParam::param).toArray(String[]::new), targetType,
				targetIds.toArray(String[]::new));
	}

	/**
	 * For resources of a type, the value of their identifier in one system (id to value).
	 */
	public Map<String, String> identifierValues(String type, Collection<String> ids, String system) {
		Map<String, String> values = new HashMap<>();
		if (!ids.isEmpty()) {
			jdbc.query(
					"select id, value from resource_identifier where resource_type = ? and system = ? and id = any(?)",
					rs -> {
						values.put(rs.getString(1), rs.getString(2));
					}, type, system, ids.toArray(String[]::new));
		}
		return values;
	}

	/**
	 * The persons whose data these resources ({@code Type/id}) are: Patients among them
	 * and the Patients they reference through an indexed parameter (subject, patient,
	 * ...), as {@code Patient/id}.
	 */
	public Set<String> patientsOf(Collection<String> refs) {
		Set<String> patients = new java.util.TreeSet<>();
		List<String> wellFormed = new ArrayList<>();
		for (String ref : refs) {
			String[] parts = ref.split("/");
			if (parts.length < 2) {
				continue;
			}
			if (parts[0].equals("Patient")) {
				patients.add("Patient/" + parts[1]);
			}
			wellFormed.add(parts[0] + "/" + parts[1]);
		}
		// One query for all types; joined on (resource_type, id), the index still serves
		// each pair.
		if (!wellFormed.isEmpty()) {
			patients.addAll(jdbc.queryForList(
					"select distinct 'Patient/' || s.target_id from search_reference s join " + REF_KEYS
							+ " on s.resource_type = k.resource_type and s.id = k.id where s.target_type = 'Patient'",
					String.class, typesAndIds(wellFormed)));
		}
		return patients;
	}

	/**
	 * Removes resources ({@code Type/id}) completely: current version, history,
	 * identifiers and index entries, and every Provenance that names one of them. For
	 * retention: nothing of them remains to be read back.
	 */
	public int purge(Collection<String> refs) {
		if (refs.isEmpty()) {
			return 0;
		}
		List<String> provenance = jdbc.queryForList("select distinct s.id from search_reference s join " + REF_KEYS
				+ " on s.target_type = k.resource_type and s.target_id = k.id where s.resource_type = 'Provenance'",
				String.class, typesAndIds(refs));
		List<String> all = new ArrayList<>(refs);
		provenance.forEach(id -> all.add("Provenance/" + id));
		Object[] args = typesAndIds(all);
		for (String table : List.of("resource_history", "resource_identifier", "search_token", "search_reference",
				"search_date")) {
			jdbc.update("delete from " + table + " t using " + REF_KEYS
					+ " where t.resource_type = k.resource_type and t.id = k.id", args);
		}
		return jdbc.update(
				"delete from resource t using " + REF_KEYS + " where t.resource_type = k.resource_type and t.id = k.id",
				args);
	}

	/** Removes every version of a resource but the current one from its history. */
	public void forgetEarlierVersions(String type, String id) {
		jdbc.update("delete from resource_history h using resource r where h.resource_type = ? and h.id = ?"
				+ " and r.resource_type = h.resource_type and r.id = h.id and h.version < r.version", type, id);
	}

	/**
	 * Resources ({@code Type/id}) that reference any of these Patients through an indexed
	 * parameter.
	 */
	public Set<String> referencingPatients(Collection<String> patientIds) {
		return new HashSet<>(jdbc.queryForList(
				"select distinct resource_type || '/' || id from search_reference"
						+ " where target_type = 'Patient' and target_id = any(?)",
				String.class, (Object) patientIds.toArray(String[]::new)));
	}

	/**
	 * Of these received-content hashes, the ones already stored as validated under this
	 * profile-set fingerprint.
	 */
	public Set<String> alreadyValidated(Collection<String> sourceHashes, String fingerprint) {
		if (sourceHashes.isEmpty()) {
			return Set.of();
		}
		return new HashSet<>(jdbc.queryForList(
				"select distinct source_hash from resource where source_hash = any(?)" + " and validated_with = ?",
				String.class, sourceHashes.toArray(String[]::new), fingerprint));
	}

	/** Stores the writes, all or nothing with the surrounding transaction. */
	public void apply(List<ResourceWrite> writes) {
		List<ResourceWrite> creates = writes.stream().filter(ResourceWrite::isCreate).toList();
		List<ResourceWrite> updates = writes.stream().filter(w -> !w.isCreate()).toList();
		jdbc.batchUpdate(
				"insert into resource (resource_type, id, version, last_updated, profile, content, content_hash,"
						+ " source_hash, validated_with, owner) values (?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?)",
				creates, creates.size(), (ps, w) -> {
					ps.setString(1, w.resourceType());
					ps.setString(2, w.id());
					ps.setLong(3, w.version());
					ps.setTimestamp(4, Timestamp.from(w.lastUpdated()));
					ps.setString(5, w.profile());
					ps.setString(6, w.json());
					ps.setString(7, w.contentHash());
					ps.setString(8, w.sourceHash());
					ps.setString(9, w.validatedWith());
					ps.setString(10, w.owner());
				});
		for (ResourceWrite w : updates) {
			int rows = jdbc.update("update resource set version = ?, last_updated = ?, profile = ?, content = ?::jsonb,"
					+ " content_hash = ?, source_hash = ?, validated_with = ? where resource_type = ? and id = ? and version = ?",
					w.version(), Timestamp.from(w.lastUpdated()), w.profile(), w.json(), w.contentHash(),
					w.sourceHash(), w.validatedWith(), w.resourceType(), w.id(), w.expectedVersion());
			if (rows != 1) {
				throw new ConcurrentWriteException(w.resourceType(), w.id(), w.expectedVersion());
			}
		}
		jdbc.batchUpdate("insert into resource_history (resource_type, id, version, last_updated, method, content)"
				+ " values (?, ?, ?, ?, ?, ?::jsonb)", writes, writes.size(), (ps, w) -> {
					ps.setString(1, w.resourceType());
					ps.setString(2, w.id());
					ps.setLong(3, w.version());
					ps.setTimestamp(4, Timestamp.from(w.lastUpdated()));
					ps.setString(5, w.method());
					ps.setString(6, w.json());
				});
		replaceIndex(updates);
		insertIndex(writes);
	}

	private void replaceIndex(List<ResourceWrite> updates) {
		if (updates.isEmpty()) {
			return;
		}
		for (String table : List.of("resource_identifier", "search_token", "search_reference", "search_date")) {
			jdbc.batchUpdate("delete from " + table + " where resource_type = ? and id = ?", updates, updates.size(),
					(ps, w) -> {
						ps.setString(1, w.resourceType());
						ps.setString(2, w.id());
					});
		}
	}

	private void insertIndex(List<ResourceWrite> writes) {
		record Row<T>(ResourceWrite write, T entry) {
		}
		List<Row<IndexEntries.Identifier>> identifiers = new ArrayList<>();
		List<Row<IndexEntries.Token>> tokens = new ArrayList<>();
		List<Row<IndexEntries.Ref>> refs = new ArrayList<>();
		List<Row<IndexEntries.DateSpan>> dates = new ArrayList<>();
		for (ResourceWrite w : writes) {
			w.index().identifiers().forEach(e -> identifiers.add(new Row<>(w, e)));
			w.index().tokens().forEach(e -> tokens.add(new Row<>(w, e)));
			w.index().references().forEach(e -> refs.add(new Row<>(w, e)));
			w.index().dates().forEach(e -> dates.add(new Row<>(w, e)));
		}
		// A stable insertion order makes concurrent writers of overlapping identifiers
		// queue instead of deadlocking.
		identifiers.sort((a, b) -> (a.write().resourceType() + a.entry().system() + a.entry().value())
			.compareTo(b.write().resourceType() + b.entry().system() + b.entry().value()));
		jdbc.batchUpdate(
				"insert into resource_identifier (resource_type, owner, system, value, id) values (?, ?, ?, ?, ?)",
				identifiers, identifiers.size(), (ps, r) -> {
					ps.setString(1, r.write().resourceType());
					ps.setString(2, r.write().owner());
					ps.setString(3, r.entry().system());
					ps.setString(4, r.entry().value());
					ps.setString(5, r.write().id());
				});
		jdbc.batchUpdate("insert into search_token (resource_type, id, param, system, code) values (?, ?, ?, ?, ?)",
				tokens, tokens.size(), (ps, r) -> {
					ps.setString(1, r.write().resourceType());
					ps.setString(2, r.write().id());
					ps.setString(3, r.entry().param());
					ps.setString(4, r.entry().system());
					ps.setString(5, r.entry().code());
				});
		jdbc.batchUpdate(
				"insert into search_reference (resource_type, id, param, target_type, target_id) values (?, ?, ?, ?, ?)",
				refs, refs.size(), (ps, r) -> {
					ps.setString(1, r.write().resourceType());
					ps.setString(2, r.write().id());
					ps.setString(3, r.entry().param());
					ps.setString(4, r.entry().targetType());
					ps.setString(5, r.entry().targetId());
				});
		jdbc.batchUpdate("insert into search_date (resource_type, id, param, low, high) values (?, ?, ?, ?, ?)", dates,
				dates.size(), (ps, r) -> {
					ps.setString(1, r.write().resourceType());
					ps.setString(2, r.write().id());
					ps.setString(3, r.entry().param());
					ps.setTimestamp(4, Timestamp.from(r.entry().low()));
					ps.setTimestamp(5, Timestamp.from(r.entry().high()));
				});
	}

	public SearchResult search(SearchQuery query) {
		StringBuilder where = new StringBuilder(" from resource r where r.resource_type = ?");
		List<Object> args = new ArrayList<>();
		args.add(query.resourceType());
		if (query.owner() != null) {
			where.append(" and r.owner = ?");
			args.add(query.owner());
		}
		for (SearchQuery.Criterion c : query.criteria()) {
			appendCriterion(c, where, args);
		}
		Integer total = jdbc.queryForObject("select count(*)" + where, Integer.class, args.toArray());
		List<Object> pageArgs = new ArrayList<>(args);
		pageArgs.add(query.count());
		pageArgs.add(query.offset());
		List<StoredResource> page = query.count() == 0 ? List.of()
				: jdbc.query(
						"select " + COLUMNS + where + " order by r.last_updated "
								+ (query.newestFirst() ? "desc" : "asc") + ", r.id limit ? offset ?",
						ROW, pageArgs.toArray());
		return new SearchResult(total == null ? 0 : total, page);
	}

	private static void appendCriterion(SearchQuery.Criterion c, StringBuilder where, List<Object> args) {
		if (c instanceof SearchQuery.Ids ids) {
			where.append(" and r.id = any(?)");
			args.add(ids.ids().toArray(String[]::new));
		}
		else if (c instanceof SearchQuery.Tokens t) {
			where.append(
					" and exists (select 1 from search_token s where s.resource_type = r.resource_type and s.id = r.id"
							+ " and s.param = ? and (");
			args.add(t.param());
			for (int i = 0; i < t.anyOf().size(); i++) {
				SearchQuery.TokenValue v = t.anyOf().get(i);
				where.append(i > 0 ? " or " : "").append("(true");
				if (v.code() != null) {
					where.append(" and s.code = ?");
					args.add(v.code());
				}
				if (v.system() != null) {
					where.append(v.system().isEmpty() ? " and s.system is null" : " and s.system = ?");
					if (!v.system().isEmpty()) {
						args.add(v.system());
					}
				}
				where.append(")");
			}
			where.append("))");
		}
		else if (c instanceof SearchQuery.References refs) {
			where.append(" and exists (select 1 from search_reference s where s.resource_type = r.resource_type"
					+ " and s.id = r.id and s.param = ? and (");
			args.add(refs.param());
			for (int i = 0; i < refs.anyOf().size(); i++) {
				SearchQuery.ReferenceValue v = refs.anyOf().get(i);
				where.append(i > 0 ? " or " : "").append("(s.target_id = ?");
				args.add(v.targetId());
				if (v.targetType() != null) {
					where.append(" and s.target_type = ?");
					args.add(v.targetType());
				}
				where.append(")");
			}
			where.append("))");
		}
		else if (c instanceof SearchQuery.DateRange d) {
			where.append(
					" and exists (select 1 from search_date s where s.resource_type = r.resource_type and s.id = r.id"
							+ " and s.param = ?");
			args.add(d.param());
			if (d.from() != null) {
				where.append(" and s.high >= ?");
				args.add(Timestamp.from(d.from()));
			}
			if (d.to() != null) {
				where.append(" and s.low <= ?");
				args.add(Timestamp.from(d.to()));
			}
			where.append(")");
		}
		else if (c instanceof SearchQuery.LastUpdated lu) {
			if (lu.from() != null) {
				where.append(" and r.last_updated >= ?");
				args.add(Timestamp.from(lu.from()));
			}
			if (lu.to() != null) {
				where.append(" and r.last_updated <= ?");
				args.add(Timestamp.from(lu.to()));
			}
		}
	}

	/** Targets of a reference parameter for a set of resources, for _include. */
	public Map<String, List<String>> referenceTargets(String type, Collection<String> ids, String param) {
		Map<String, List<String>> byType = new LinkedHashMap<>();
		if (ids.isEmpty()) {
			return byType;
		}
		jdbc.query("select distinct target_type, target_id from search_reference where resource_type = ? and param = ?"
				+ " and id = any(?)", rs -> {
					byType.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
				}, type, param, ids.toArray(String[]::new));
		return byType;
	}

	private static StoredResource mapRow(ResultSet rs, int rowNum) throws SQLException {
		Instant lastUpdated = rs.getTimestamp(4).toInstant();
		return new StoredResource(rs.getString(1), rs.getString(2), rs.getLong(3), lastUpdated, rs.getString(5),
				rs.getString(6), rs.getString(7), rs.getString(8));
	}

}
