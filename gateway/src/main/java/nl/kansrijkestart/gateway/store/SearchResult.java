package nl.kansrijkestart.gateway.store;

import java.util.List;

public record SearchResult(int total, List<StoredResource> matches) {
}
