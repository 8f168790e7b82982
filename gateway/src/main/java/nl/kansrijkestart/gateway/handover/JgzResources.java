package nl.kansrijkestart.gateway.handover;

import ca.uhn.fhir.context.FhirContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Date;
import java.util.UUID;
import java.util.function.Predicate;
import nl.kansrijkestart.gateway.ingest.ResourceCodec;
import nl.kansrijkestart.gateway.store.IndexEntries;
import nl.kansrijkestart.gateway.store.ResourceStore;
import nl.kansrijkestart.gateway.store.ResourceWrite;
import nl.kansrijkestart.gateway.store.SearchIndexer;
import nl.kansrijkestart.gateway.store.StoredResource;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Task;
import org.springframework.stereotype.Component;

/**
 * Tasks and handover documents are resources in the receiving JGZ organisation's
 * partition: that organisation can read them (and nobody else of its role can), searches
 * and the audit trail work as for any resource.
 */
@Component
class JgzResources {

	private final ResourceStore store;

	private final SearchIndexer indexer;

	private final ResourceCodec codec;

	private final FhirContext fhirContext;

	JgzResources(ResourceStore store, SearchIndexer indexer, ResourceCodec codec, FhirContext fhirContext) {
		this.store = store;
		this.indexer = indexer;
		this.codec = codec;
		this.fhirContext = fhirContext;
	}

	/**
	 * Stores a new resource in {@code owner}'s partition.
	 * @param patients the Patients ({@code Patient/id}) it is about, for the audit trail,
	 * when the resource does not reference them itself (a document's references are
	 * internal to it)
	 */
	String create(Resource resource, String profile, String owner, List<String> patients, Instant now) {
		String id = UUID.randomUUID().toString();
		resource.setId(resource.fhirType() + "/" + id);
		write(resource, id, 1, 0, "POST", profile, owner, patients, now);
		return id;
	}

	/**
	 * Changes a Task we made, if it still exists and {@code change} says so (it returns
	 * false to leave the Task as it is); the new version records when.
	 */
	void changeTask(String taskId, Instant now, Predicate<Task> change) {
		store.read("Task", taskId, null).ifPresent(stored -> {
			Task task = fhirContext.newJsonParser().parseResource(Task.class, stored.json());
			if (change.test(task)) {
				task.setLastModified(Date.from(now));
				update(stored, task, now);
			}
		});
	}

	/**
	 * After a withdrawal or a reroute: every document of this person that
	 * {@code recipient} has not acknowledged is destroyed (with its history and
	 * Provenance), and the Tasks that pointed to them keep no identifier of the person,
	 * not even in their history. A Task stays, cancelled with {@code reason}, so that a
	 * JGZ system that pulled it learns why its document is gone. Acknowledged documents
	 * are in the JGZ dossier already and stay (docs/handover.md).
	 */
	void forgetUnacknowledged(String subject, String recipient, String reason, Instant now) {
		List<String> destroyed = new ArrayList<>();
		var parser = fhirContext.newJsonParser();
		for (StoredResource stored : store.referencing("Task", "patient", "Patient", List.of(subject))) {
			Task task = parser.parseResource(Task.class, stored.json());
			if (!stored.owner().equals(recipient) || task.getStatus() == Task.TaskStatus.COMPLETED) {
				continue;
			}
			if (task.hasFocus() && task.getFocus().getReference().startsWith("Bundle/")) {
				destroyed.add(task.getFocus().getReference());
			}
			if (task.getStatus() == Task.TaskStatus.REQUESTED) {
				task.setStatus(Task.TaskStatus.CANCELLED);
				task.setStatusReason(new CodeableConcept().setText(reason));
			}
			task.getFor().setIdentifier(null);
			task.getInput().clear();
			task.setLastModified(Date.from(now));
			update(stored, task, now);
			store.forgetEarlierVersions("Task", stored.id());
		}
		store.purge(destroyed);
	}

	/**
	 * A new version of a resource we made; fails if someone else changed it since
	 * {@code current} was read.
	 */
	void update(StoredResource current, Resource resource, Instant now) {
		resource.setId(current.resourceType() + "/" + current.id());
		resource.getMeta().setVersionId(null);
		resource.getMeta().setLastUpdated(null);
		write(resource, current.id(), current.version() + 1, current.version(), "PUT", current.profile(),
				current.owner(), List.of(), now);
	}

	private void write(Resource resource, String id, long version, long expected, String method, String profile,
			String owner, List<String> patients, Instant now) {
		String json = codec.encode(resource);
		IndexEntries index = indexer.index(resource);
		if (!patients.isEmpty()) {
			List<IndexEntries.Ref> refs = new ArrayList<>(index.references());
			patients
				.forEach(p -> refs.add(new IndexEntries.Ref("patient", "Patient", p.substring(p.indexOf('/') + 1))));
			index = new IndexEntries(index.tokens(), refs, index.dates(), index.identifiers());
		}
		store.apply(List.of(new ResourceWrite(resource.fhirType(), id, version, expected, now, method, profile, json,
				ResourceCodec.sha256(json), null, null, index, owner)));
	}

}
