package nl.kansrijkestart.gateway.fhir;

import nl.kansrijkestart.gateway.ingest.IngestService;
import nl.kansrijkestart.gateway.ingest.ResourceCodec;
import nl.kansrijkestart.gateway.store.ResourceStore;
import org.springframework.stereotype.Component;

/** What every resource provider needs, in one bean. */
@Component
record Providers(ResourceStore store, ResourceCodec codec, IngestService ingest, SearchSupport search,
		AuditInterceptor audit, PublicBaseUrl baseUrl) {
}
