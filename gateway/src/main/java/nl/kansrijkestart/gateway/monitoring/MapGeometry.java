package nl.kansrijkestart.gateway.monitoring;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.springframework.core.io.ClassPathResource;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The dashboard's map: the 2025 municipalities and GGD regions (geo/README.md), decoded
 * once from TopoJSON to the GeoJSON that the chart library draws, with each area's code
 * and name as its only properties.
 */
@Component
class MapGeometry {

	enum Level {

		MUNICIPALITIES("geo/gemeente_2025.topojson"), REGIONS("geo/ggdregio_2025.topojson");

		private final String resource;

		Level(String resource) {
			this.resource = resource;
		}

	}

	private final Map<Level, byte[]> geoJson = new EnumMap<>(Level.class);

	MapGeometry() {
		ObjectMapper mapper = new ObjectMapper();
		for (Level level : Level.values()) {
			try (InputStream in = new ClassPathResource(level.resource).getInputStream()) {
				geoJson.put(level, mapper.writeValueAsBytes(toGeoJson(mapper.readTree(in), mapper)));
			}
			catch (IOException e) {
				throw new UncheckedIOException("Cannot read " + level.resource, e);
			}
		}
	}

	byte[] geoJson(Level level) {
		return geoJson.get(level);
	}

	/**
	 * A TopoJSON topology's first object as a GeoJSON FeatureCollection: arcs are
	 * delta-encoded, quantised positions; a ring joins its arcs (~i is arc i reversed),
	 * each arc after the first without its first point, which is the previous arc's last.
	 */
	static ObjectNode toGeoJson(JsonNode topology, ObjectMapper mapper) {
		JsonNode transform = topology.path("transform");
		double sx = transform.path("scale").path(0).asDouble(1);
		double sy = transform.path("scale").path(1).asDouble(1);
		double tx = transform.path("translate").path(0).asDouble(0);
		double ty = transform.path("translate").path(1).asDouble(0);
		List<List<double[]>> arcs = new ArrayList<>();
		for (JsonNode arc : topology.path("arcs")) {
			List<double[]> points = new ArrayList<>();
			long x = 0;
			long y = 0;
			for (JsonNode delta : arc) {
				x += delta.get(0).asLong();
				y += delta.get(1).asLong();
				points.add(new double[] { round(x * sx + tx), round(y * sy + ty) });
			}
			arcs.add(points);
		}
		ObjectNode collection = mapper.createObjectNode().put("type", "FeatureCollection");
		ArrayNode features = collection.putArray("features");
		for (JsonNode geometry : topology.path("objects").elements().next().path("geometries")) {
			ObjectNode feature = features.addObject().put("type", "Feature");
			feature.putObject("properties")
				.put("code", geometry.path("properties").path("statcode").asText())
				.put("name", geometry.path("properties").path("statnaam").asText());
			String type = geometry.path("type").asText();
			ObjectNode shape = feature.putObject("geometry").put("type", type);
			ArrayNode coordinates = shape.putArray("coordinates");
			if (type.equals("Polygon")) {
				polygon(geometry.path("arcs"), arcs, coordinates);
			}
			else if (type.equals("MultiPolygon")) {
				for (JsonNode polygon : geometry.path("arcs")) {
					polygon(polygon, arcs, coordinates.addArray());
				}
			}
			else {
				throw new IllegalArgumentException("Unexpected geometry " + type);
			}
		}
		return collection;
	}

	private static void polygon(JsonNode rings, List<List<double[]>> arcs, ArrayNode out) {
		for (JsonNode ring : rings) {
			ArrayNode points = out.addArray();
			for (JsonNode index : ring) {
				int i = index.asInt();
				List<double[]> arc = new ArrayList<>(arcs.get(i >= 0 ? i : ~i));
				if (i < 0) {
					Collections.reverse(arc);
				}
				for (int p = points.isEmpty() ? 0 : 1; p < arc.size(); p++) {
					points.addArray().add(arc.get(p)[0]).add(arc.get(p)[1]);
				}
			}
		}
	}

	/** Five decimals of a degree are about a metre, finer than the generalised source. */
	private static double round(double degrees) {
		return BigDecimal.valueOf(degrees).setScale(5, RoundingMode.HALF_UP).doubleValue();
	}

}
