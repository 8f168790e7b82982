package nl.kansrijkestart.gateway.fhir;

import ca.uhn.fhir.model.api.Include;
import ca.uhn.fhir.model.api.ResourceMetadataKeyEnum;
import ca.uhn.fhir.model.valueset.BundleEntrySearchModeEnum;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.SortOrderEnum;
import ca.uhn.fhir.rest.api.SortSpec;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.param.DateRangeParam;
import ca.uhn.fhir.rest.param.ReferenceAndListParam;
import ca.uhn.fhir.rest.param.ReferenceOrListParam;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenAndListParam;
import ca.uhn.fhir.rest.param.TokenOrListParam;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.SimpleBundleProvider;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import nl.kansrijkestart.gateway.ingest.ResourceCodec;
import nl.kansrijkestart.gateway.store.ResourceStore;
import nl.kansrijkestart.gateway.store.SearchParameters;
import nl.kansrijkestart.gateway.store.SearchQuery;
import nl.kansrijkestart.gateway.store.SearchResult;
import nl.kansrijkestart.gateway.store.StoredResource;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Resource;
import org.springframework.stereotype.Component;

/**
 * Turns HAPI search parameters into a {@link SearchQuery}, runs it within the caller's
 * partition, and adds _include targets (from the same partition).
 */
@Component
class SearchSupport {

	/** Parameters HAPI or this class handle besides the indexed ones. */
	private static final Set<String> CONTROL = Set.of("_id", "_lastUpdated", "_count", "_offset", "_sort", "_include",
			"_format", "_pretty", "_summary", "_elements", "_total", "_getpages", "_getpagesoffset");
	static final String UNKNOWN_PARAMS = SearchSupport.class.getName() + ".unknown";

	private final ResourceStore store;

	private final ResourceCodec codec;

	private final FhirProperties properties;

	SearchSupport(ResourceStore store, ResourceCodec codec, FhirProperties properties) {
		this.store = store;
		this.codec = codec;
		this.properties = properties;
	}

	/** Criteria gathered from one search request. */
	static final class Criteria {

		private final List<SearchQuery.Criterion> list = new ArrayList<>();

		Criteria tokens(String param, TokenAndListParam and) {
			if (and != null) {
				for (TokenOrListParam or : and.getValuesAsQueryTokens()) {
					list.add(new SearchQuery.Tokens(param,
							or.getValuesAsQueryTokens()
								.stream()
								.map(t -> new SearchQuery.TokenValue(t.getSystem(),
										t.getValue() == null || t.getValue().isEmpty() ? null : t.getValue()))
								.toList()));
				}
			}
			return this;
		}

		Criteria references(String param, String defaultType, ReferenceAndListParam and) {
			if (and != null) {
				for (ReferenceOrListParam or : and.getValuesAsQueryTokens()) {
					list.add(new SearchQuery.References(param,
							or.getValuesAsQueryTokens().stream().map(r -> reference(r, defaultType)).toList()));
				}
			}
			return this;
		}

		Criteria date(String param, DateRangeParam range) {
			if (range != null) {
				list.add(new SearchQuery.DateRange(param, instant(range.getLowerBoundAsInstant()),
						instant(range.getUpperBoundAsInstant())));
			}
			return this;
		}

		private static SearchQuery.ReferenceValue reference(ReferenceParam r, String defaultType) {
			if (r.getChain() != null) {
				throw new InvalidRequestException("Chained reference searches are not supported: " + r.getChain());
			}
			String type = r.getResourceType() != null ? r.getResourceType() : defaultType;
			return new SearchQuery.ReferenceValue(type, r.getIdPart());
		}

	}

	private static java.time.Instant instant(java.util.Date date) {
		return date == null ? null : date.toInstant();
	}

	IBundleProvider search(String type, Criteria criteria, TokenAndListParam ids, DateRangeParam lastUpdated,
			SortSpec sort, Set<Include> includes, Integer count, Integer offset, RequestDetails request) {
		rejectOrRecordUnknown(type, request);
		List<SearchQuery.Criterion> all = new ArrayList<>(criteria.list);
		if (ids != null) {
			for (TokenOrListParam or : ids.getValuesAsQueryTokens()) {
				all.add(new SearchQuery.Ids(or.getValuesAsQueryTokens().stream().map(TokenParam::getValue).toList()));
			}
		}
		if (lastUpdated != null) {
			all.add(new SearchQuery.LastUpdated(instant(lastUpdated.getLowerBoundAsInstant()),
					instant(lastUpdated.getUpperBoundAsInstant())));
		}
		boolean newestFirst = false;
		if (sort != null) {
			if (!Constants.PARAM_LASTUPDATED.equals(sort.getParamName()) || sort.getChain() != null) {
				throw new InvalidRequestException("Only _sort=_lastUpdated or _sort=-_lastUpdated is supported");
			}
			newestFirst = sort.getOrder() == SortOrderEnum.DESC;
		}
		Paging paging = paging(count, offset);
		int pageSize = paging.size();
		int from = paging.offset();
		String partition = AccessInterceptor.partition(request);
		SearchResult result = store.search(new SearchQuery(type, partition, all, newestFirst, from, pageSize));
		List<IBaseResource> page = new ArrayList<>(result.matches().stream().map(codec::parse).toList());
		page.addAll(includes(type, result.matches(), includes, partition));
		return paging.bundle(page, result.total());
	}

	/** _count (bounded by the configured maximum) and _offset of a search. */
	record Paging(int size, int offset) {
		IBundleProvider bundle(List<IBaseResource> page, int total) {
			SimpleBundleProvider provider = new SimpleBundleProvider(page);
			provider.setSize(total);
			provider.setCurrentPageOffset(offset);
			provider.setCurrentPageSize(size);
			return provider;
		}
	}

	Paging paging(Integer count, Integer offset) {
		return new Paging(
				count == null ? properties.defaultPageSize() : Math.max(0, Math.min(count, properties.maxPageSize())),
				offset == null ? 0 : Math.max(0, offset));
	}

	private List<IBaseResource> includes(String type, List<StoredResource> matches, Set<Include> includes,
			String partition) {
		List<IBaseResource> out = new ArrayList<>();
		if (includes == null || includes.isEmpty() || matches.isEmpty()) {
			return out;
		}
		Set<String> ids = matches.stream().map(StoredResource::id).collect(Collectors.toSet());
		Set<String> seen = new HashSet<>();
		for (Include include : includes) {
			if (!type.equals(include.getParamType())) {
				continue;
			}
			Map<String, List<String>> targets = store.referenceTargets(type, ids, include.getParamName());
			for (var byType : targets.entrySet()) {
				for (StoredResource target : store.readAll(byType.getKey(), byType.getValue(), partition)) {
					if (seen.add(target.resourceType() + "/" + target.id())) {
						Resource r = codec.parse(target);
						ResourceMetadataKeyEnum.ENTRY_SEARCH_MODE.put(r, BundleEntrySearchModeEnum.INCLUDE);
						out.add(r);
					}
				}
			}
		}
		return out;
	}

	/**
	 * FHIR search rules: unknown parameters are ignored (and left out of links), or
	 * refused with Prefer: handling=strict.
	 */
	private void rejectOrRecordUnknown(String type, RequestDetails request) {
		Set<String> unknown = new HashSet<>();
		for (String name : request.getParameters().keySet()) {
			String base = name.contains(":") ? name.substring(0, name.indexOf(':')) : name;
			if (!CONTROL.contains(base) && SearchParameters.find(type, base).isEmpty()) {
				unknown.add(name);
			}
		}
		if (unknown.isEmpty()) {
			return;
		}
		String prefer = request.getHeader(Constants.HEADER_PREFER);
		if (prefer != null && prefer.replace(" ", "").contains("handling=strict")) {
			throw new InvalidRequestException(
					"Unknown search parameters for " + type + ": " + unknown + " (Prefer: handling=strict)");
		}
		request.getUserData().put(UNKNOWN_PARAMS, unknown);
	}

}
