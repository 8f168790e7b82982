package nl.kansrijkestart.gateway.retention;

import java.sql.Date;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nl.kansrijkestart.gateway.audit.AuditRecord;
import nl.kansrijkestart.gateway.audit.AuditTrail;
import nl.kansrijkestart.gateway.privacy.PrivacyProperties;
import nl.kansrijkestart.gateway.security.Caller;
import nl.kansrijkestart.gateway.store.ResourceStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The retention policy: a mother's birth-care record (her Patient, her children, and
 * everything that refers to them, with history, index entries and Provenance) is purged
 * once her last child's birth is longer ago than
 * {@code gateway.privacy.retention.after-birth}, unless a later pregnancy of hers has
 * begun. Each purged record is one transaction together with its audit record (action D,
 * ISO 21089 "destroy"); the audit trail itself and organisations are kept. Each
 * organisation's partition is purged on its own.
 */
@Service
public class RetentionPurge {

	private static final Logger log = LoggerFactory.getLogger(RetentionPurge.class);

	private static final String MOTHER_EXTENSION = "https://kansrijkestart.nl/fhir/StructureDefinition/ks-ext-mother";

	private final JdbcTemplate jdbc;

	private final ResourceStore store;

	private final AuditTrail audit;

	private final TransactionTemplate transactions;

	private final PrivacyProperties properties;

	public RetentionPurge(JdbcTemplate jdbc, ResourceStore store, AuditTrail audit, TransactionTemplate transactions,
			PrivacyProperties properties) {
		this.jdbc = jdbc;
		this.store = store;
		this.audit = audit;
		this.transactions = transactions;
		this.properties = properties;
	}

	/** How much one run removed: mothers' records and resources (Provenance included). */
	public record Result(int records, int resources) {
	}

	/**
	 * A mother's record: her Patient id and her children's, in one organisation's
	 * partition.
	 */
	record Expired(String owner, String mother, List<String> children) {
	}

	@Scheduled(initialDelayString = "${gateway.privacy.retention.interval}",
			fixedDelayString = "${gateway.privacy.retention.interval}")
	void scheduled() {
		if (properties.retention().enabled()) {
			Result result = purgeExpired(Instant.now(), null);
			log.info("Retention purge: {} records, {} resources removed", result.records(), result.resources());
		}
	}

	/**
	 * Purges what has expired at {@code now}; {@code caller} is the administrator who
	 * asked, null for the schedule.
	 */
	public Result purgeExpired(Instant now, Caller caller) {
		LocalDate cutoff = LocalDate.ofInstant(now.minus(properties.retention().afterBirth()), ZoneOffset.UTC);
		int records = 0;
		int resources = 0;
		for (Expired expired : expired(cutoff)) {
			Integer removed = transactions.execute(status -> purge(expired, now, caller));
			records++;
			resources += removed == null ? 0 : removed;
		}
		return new Result(records, resources);
	}

	List<Expired> expired(LocalDate cutoff) {
		Map<String, Expired> byMother = new LinkedHashMap<>();
		jdbc.query(
				"""
						with births as (
						    select rp.owner, substring(x -> 'valueReference' ->> 'reference' from 9) as mother, c.id as child,
						           (c.content ->> 'birthDate')::date as born
						    from resource rp
						    cross join lateral jsonb_array_elements(rp.content -> 'extension') x
						    join resource c on c.resource_type = 'Patient' and c.owner = rp.owner
						         and 'Patient/' || c.id = rp.content -> 'patient' ->> 'reference'
						    where rp.resource_type = 'RelatedPerson' and x ->> 'url' = ?
						      and c.content ->> 'birthDate' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
						last_birth as (select owner, mother, max(born) as born from births group by owner, mother)
						select b.owner, b.mother, b.child from births b join last_birth l on l.owner = b.owner and l.mother = b.mother
						where l.born < ?
						  and not exists (select 1 from resource e where e.resource_type = 'EpisodeOfCare' and e.owner = l.owner
						                  and e.content -> 'patient' ->> 'reference' = 'Patient/' || l.mother
						                  and (e.content -> 'period' ->> 'start')::timestamptz::date > l.born)
						order by b.owner, b.mother""",
				rs -> {
					String owner = rs.getString(1);
					String mother = rs.getString(2);
					byMother.computeIfAbsent(owner + " " + mother, k -> new Expired(owner, mother, new ArrayList<>()))
						.children()
						.add(rs.getString(3));
				}, MOTHER_EXTENSION, Date.valueOf(cutoff));
		return new ArrayList<>(byMother.values());
	}

	private int purge(Expired expired, Instant now, Caller caller) {
		List<String> patientIds = new ArrayList<>(expired.children());
		patientIds.add(expired.mother());
		Set<String> patients = new LinkedHashSet<>();
		patientIds.forEach(id -> patients.add("Patient/" + id));
		Set<String> refs = new LinkedHashSet<>(patients);
		refs.addAll(store.referencingPatients(patientIds));
		// Recorded first: the pseudonyms come from identifiers that the purge removes.
		audit.record(new AuditRecord(
				now, AuditRecord.Action.D, "destroy", AuditRecord.Outcome.SUCCESS, "retention: last birth longer than "
						+ properties.retention().afterBirth() + " ago; " + refs.size() + " resources purged",
				caller, "RECORDMGT", patients, List.of(), null, null));
		return store.purge(refs);
	}

}
