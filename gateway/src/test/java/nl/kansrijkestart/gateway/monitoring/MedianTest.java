package nl.kansrijkestart.gateway.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The median from a histogram of values, as PostgreSQL's percentile_cont(0.5) gives it
 * from the values themselves.
 */
class MedianTest {

	@Test
	void anOddCountHasItsMiddleValue() {
		assertThat(Indicators.median(new TreeMap<>(Map.of(3.0, 1L, 9.0, 1L, 1.0, 1L)))).isEqualTo(3.0);
		assertThat(Indicators.median(new TreeMap<>(Map.of(7.0, 1L)))).isEqualTo(7.0);
	}

	@Test
	void anEvenCountIsHalfwayBetweenTheTwoMiddleValues() {
		assertThat(Indicators.median(new TreeMap<>(Map.of(1.0, 1L, 2.0, 1L, 3.0, 1L, 4.0, 1L)))).isEqualTo(2.5);
		assertThat(Indicators.median(new TreeMap<>(Map.of(1.0, 2L, 10.0, 2L)))).isEqualTo(5.5);
		assertThat(Indicators.median(new TreeMap<>(Map.of(1.0, 3L, 10.0, 1L)))).isEqualTo(1.0);
	}

	@Test
	void repeatedValuesCountEachTime() {
		assertThat(Indicators.median(new TreeMap<>(Map.of(2.0, 5L, 30.0, 4L)))).isEqualTo(2.0);
		assertThat(Indicators.median(new TreeMap<>(Map.of(2.0, 4L, 30.0, 5L)))).isEqualTo(30.0);
	}

	@Test
	void anEmptyHistogramHasNone() {
		assertThatThrownBy(() -> Indicators.median(new TreeMap<>())).isInstanceOf(IllegalArgumentException.class);
	}

}
