package nl.kansrijkestart.gateway.ingest;

import java.util.List;

/**
 * What a write was translated from, for its Provenance: the format the sender used (e.g.
 * FHIR STU3 bc-/zib2017, a PWD 2.3 kernset message), the sender's message id when it has
 * one, and the {@code url|version} of every map applied.
 */
public record IngestSource(String format, String messageId, List<String> maps) {
}
