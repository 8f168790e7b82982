package nl.kansrijkestart.gateway.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import ca.uhn.fhir.context.FhirContext;
import nl.kansrijkestart.gateway.store.Municipalities;

class MapGeometryTest {

	private static final ObjectMapper MAPPER = new ObjectMapper();

	/**
	 * The TopoJSON specification's example arcs, without a transform: a ring of arc 0 and
	 * arc 1 reversed.
	 */
	@Test
	void ringsJoinArcsAndReverseTheComplementedOnes() throws Exception {
		JsonNode topology = MAPPER.readTree("""
				{"type":"Topology","arcs":[[[0,0],[1,0],[0,1]],[[0,0],[0,1],[1,0]]],
				 "objects":{"areas":{"type":"GeometryCollection","geometries":[
				  {"type":"Polygon","arcs":[[0,-2]],"properties":{"statcode":"GM0001","statnaam":"A"}},
				  {"type":"MultiPolygon","arcs":[[[1,-1]]],"properties":{"statcode":"GM0002","statnaam":"B"}}]}}}""");
		JsonNode features = MapGeometry.toGeoJson(topology, MAPPER).get("features");
		// Arc 0 runs (0,0) (1,0) (1,1); arc 1 runs (0,0) (0,1) (1,1), reversed (1,1)
		// (0,1) (0,0).
		assertThat(features.get(0).at("/geometry/coordinates").toString())
			.isEqualTo("[[[0.0,0.0],[1.0,0.0],[1.0,1.0],[0.0,1.0],[0.0,0.0]]]");
		assertThat(features.get(1).at("/geometry/coordinates").toString())
			.isEqualTo("[[[[0.0,0.0],[0.0,1.0],[1.0,1.0],[1.0,0.0],[0.0,0.0]]]]");
		assertThat(features.get(1).get("properties").toString()).isEqualTo("{\"code\":\"GM0002\",\"name\":\"B\"}");
	}

	@Test
	void theMapHasEveryCurrentMunicipalityAndRegionAsClosedRingsInTheNetherlands() throws Exception {
		MapGeometry map = new MapGeometry();
		Municipalities municipalities = new Municipalities(FhirContext.forR4Cached());
		Map<String, String> regionNames = new HashMap<>();
		JsonNode areas = MAPPER.readTree(map.geoJson(MapGeometry.Level.MUNICIPALITIES));
		assertThat(areas.get("features")).hasSize(342);
		for (JsonNode feature : areas.get("features")) {
			String code = feature.at("/properties/code").asText();
			assertThat(municipalities.isCurrent(code)).as(code).isTrue();
			assertThat(feature.at("/properties/name").asText()).as(code).isEqualTo(municipalities.name(code));
			regionNames.put(municipalities.region(code), municipalities.name(municipalities.region(code)));
			assertRingsClosedInTheNetherlands(feature);
		}
		JsonNode regions = MAPPER.readTree(map.geoJson(MapGeometry.Level.REGIONS));
		assertThat(regions.get("features")).hasSize(25);
		for (JsonNode feature : regions.get("features")) {
			String code = feature.at("/properties/code").asText();
			assertThat(regionNames).as(code).containsEntry(code, feature.at("/properties/name").asText());
			assertRingsClosedInTheNetherlands(feature);
		}
		assertThat(regionNames).hasSize(25);
	}

	private static void assertRingsClosedInTheNetherlands(JsonNode feature) {
		JsonNode coordinates = feature.at("/geometry/coordinates");
		boolean multi = feature.at("/geometry/type").asText().equals("MultiPolygon");
		for (JsonNode polygon : multi ? coordinates : MAPPER.createArrayNode().add(coordinates)) {
			for (JsonNode ring : polygon) {
				assertThat(ring.size()).isGreaterThanOrEqualTo(4);
				assertThat(ring.get(0)).isEqualTo(ring.get(ring.size() - 1));
				for (JsonNode point : ring) {
					assertThat(point.get(0).asDouble()).isBetween(3.3, 7.3);
					assertThat(point.get(1).asDouble()).isBetween(50.7, 53.6);
				}
			}
		}
	}

}
