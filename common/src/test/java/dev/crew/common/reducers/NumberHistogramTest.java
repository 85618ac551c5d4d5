package dev.crew.common.reducers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@code histogram}: exact where it can be, within 0.1% elsewhere, in memory set by the span. */
class NumberHistogramTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static NumberHistogram histogramOf(String... values) {
    NumberHistogram histogram = new NumberHistogram();
    for (String value : values) {
      histogram.add(value);
    }
    return histogram;
  }

  private static String[] range(long first, long last) {
    String[] values = new String[(int) (last - first + 1)];
    for (int i = 0; i < values.length; i++) {
      values[i] = Long.toString(first + i);
    }
    return values;
  }

  @Test
  void result_oneToHundred_exactValuesAndTenEqualBins() {
    String[] edges = {"1", "10.9", "20.8", "30.7", "40.6", "50.5", "60.4", "70.3", "80.2", "90.1"};
    StringBuilder bins = new StringBuilder();
    for (int i = 0; i < edges.length; i++) {
      String to = i + 1 < edges.length ? edges[i + 1] : "100";
      bins.append(i == 0 ? "" : ",")
          .append("{\"from\":" + edges[i] + ",\"to\":" + to + ",\"count\":10}");
    }

    String result = histogramOf(range(1, 100)).result();

    assertThat(result)
        .isEqualTo(
            "{\"count\":100,\"min\":1,\"max\":100,\"mean\":50.5,\"p50\":50,\"p90\":90,\"p99\":99,"
                + "\"p999\":100,\"bins\":["
                + bins
                + "]}");
  }

  @Test
  void result_ofNothingIsNullsAndNoBins() {
    assertThat(histogramOf("\"text\"").result())
        .isEqualTo(
            "{\"count\":0,\"min\":null,\"max\":null,\"mean\":null,\"p50\":null,\"p90\":null,"
                + "\"p99\":null,\"p999\":null,\"bins\":[]}");
  }

  @Test
  void add_nonNumbersAreLeftOut() {
    NumberHistogram histogram = new NumberHistogram();

    assertThat(histogram.add("\"7\"")).isFalse();
    assertThat(histogram.add("{\"a\":1}")).isFalse();
    assertThat(histogram.add("null")).isFalse();
    assertThat(histogram.add("7")).isTrue();
    assertThat(histogram.result()).startsWith("{\"count\":1,\"min\":7,\"max\":7,\"mean\":7,");
  }

  @Test
  void result_allEqual_oneBin() throws Exception {
    JsonNode result = JSON.readTree(histogramOf("2.5", "2.5", "2.5").result());

    assertThat(result.get("bins").toString()).isEqualTo("[{\"from\":2.5,\"to\":2.5,\"count\":3}]");
    assertThat(result.get("p50").decimalValue()).isEqualByComparingTo("2.5");
  }

  @Test
  void result_negativeAndZeroValues_inOrder() throws Exception {
    JsonNode result = JSON.readTree(histogramOf(range(-50, 49)).result());

    assertThat(result.get("count").asLong()).isEqualTo(100);
    assertThat(result.get("min").asLong()).isEqualTo(-50);
    assertThat(result.get("max").asLong()).isEqualTo(49);
    assertThat(result.get("mean").decimalValue()).isEqualByComparingTo("-0.5");
    assertThat(result.get("p50").asLong()).isEqualTo(-1); // the 50th of -50..49
    assertThat(result.get("p90").asLong()).isEqualTo(39);
    assertThat(result.get("bins")).hasSize(10);
    for (JsonNode bin : result.get("bins")) {
      assertThat(bin.get("count").asLong()).as(bin.toString()).isEqualTo(10);
    }
    assertThat(result.get("bins").get(5).toString())
        .isEqualTo("{\"from\":-0.5,\"to\":9.4,\"count\":10}");
  }

  @Test
  void percentiles_within0point1PercentOfTheExactOnes() throws Exception {
    Random random = new Random(14);
    int n = 200_000;
    double[] values = new double[n];
    NumberHistogram histogram = new NumberHistogram();
    for (int i = 0; i < n; i++) {
      values[i] = Math.exp(random.nextGaussian() * 3) * (random.nextInt(10) == 0 ? -1 : 1);
      histogram.add(Double.toString(values[i]));
    }
    Arrays.sort(values);

    JsonNode result = JSON.readTree(histogram.result());

    assertThat(result.get("count").asLong()).isEqualTo(n);
    Map<String, Integer> permilles = Map.of("p50", 500, "p90", 900, "p99", 990, "p999", 999);
    for (Map.Entry<String, Integer> e : permilles.entrySet()) {
      String name = e.getKey();
      // nearest rank: the value with permille/1000 of all at or below it
      double exact = values[(int) Math.ceilDiv((long) n * e.getValue(), 1000) - 1];
      assertThat(result.get(name).asDouble())
          .as(name)
          .isCloseTo(exact, within(Math.abs(exact) * 0.001));
    }
    long binned = 0;
    for (JsonNode bin : result.get("bins")) {
      binned += bin.get("count").asLong();
    }
    assertThat(binned).isEqualTo(n);
  }

  @Test
  void memory_setByTheSpanOfTheValuesNotTheirCount() throws Exception {
    NumberHistogram two = histogramOf("1", "1000000");
    NumberHistogram million = new NumberHistogram();
    for (long i = 1; i <= 1_000_000; i++) {
      assertThat(million.add(Long.toString(i))).isTrue();
    }

    assertThat(million.footprintBytes()).isEqualTo(two.footprintBytes()).isLessThan(256 * 1024);
    JsonNode result = JSON.readTree(million.result());
    assertThat(result.get("count").asLong()).isEqualTo(1_000_000);
    assertThat(result.get("mean").decimalValue()).isEqualByComparingTo("500000.5");
    assertThat(result.get("p50").asLong()).isEqualTo(500_000);
    assertThat(result.get("bins")).hasSize(10);
  }

  @Test
  void memory_widestSpanStaysBounded() {
    NumberHistogram widest = new NumberHistogram();
    int taken = 0;
    for (int exponent = -300; exponent <= 300; exponent++) {
      taken += widest.add("1e" + exponent) ? 1 : 0;
      taken += widest.add("-1e" + exponent) ? 1 : 0;
    }

    // per sign, 1e-300 and the orders above it that one DoubleHistogram spans
    assertThat(taken).as("numbers taken").isEqualTo(2 * 16);
    assertThat(widest.footprintBytes()).isLessThan(1_000_000);
  }

  @Test
  void add_outOfTheSpanOrOfADoubleIsLeftOut() throws Exception {
    NumberHistogram histogram = new NumberHistogram();

    assertThat(histogram.add("1")).isTrue();
    assertThat(histogram.add("1e20")).isFalse(); // 20 decimal orders from 1: past the span
    assertThat(histogram.add("1e400")).isFalse(); // past a double
    assertThat(histogram.add("1e-400")).isFalse(); // a double would make it 0
    assertThat(histogram.add("1e12")).isTrue();
    JsonNode result = JSON.readTree(histogram.result());
    assertThat(result.get("count").asLong()).isEqualTo(2);
    assertThat(result.get("max").asText()).isEqualTo("1000000000000");
    // what was refused left no trace in the buckets either
    assertThat(result.get("p999").asText()).isEqualTo("1000000000000");
    assertThat(result.get("bins").findValues("count"))
        .extracting(JsonNode::asLong)
        .containsExactly(1L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 1L);
  }
}
