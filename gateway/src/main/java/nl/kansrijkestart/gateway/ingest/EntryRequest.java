package nl.kansrijkestart.gateway.ingest;

import org.hl7.fhir.r4.model.Resource;

/**
 * One write: a transaction or batch entry, or a single create/update.
 *
 * @param url the request url relative to the base: {@code Type}, {@code Type/id} or
 * {@code Type?identifier=...}
 * @param validation what the validator decided for this resource (profile,
 * received-content hash)
 */
public record EntryRequest(int index, String method, String url, String ifNoneExist, String ifMatch, String fullUrl,
		Resource resource, ValidatedEntry validation) {
}
