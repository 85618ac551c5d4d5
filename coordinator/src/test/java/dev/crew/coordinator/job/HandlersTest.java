package dev.crew.coordinator.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crew.client.job.InOrder;
import dev.crew.client.job.Reduction;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HandlersTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static TaskResult rangeResult(long seq, long first, String[] values, String[] errors) {
    return TaskResult.of(
        TaskChunk.ofRange("j", seq, first, first + 1, values.length), "w1", 5, values, errors);
  }

  @Test
  void jsonLines_oneObjectPerItemWithResultOrError() throws IOException {
    StringWriter out = new StringWriter();
    JsonLinesOutput output = new JsonLinesOutput(out);
    output.accept(
        rangeResult(0, 0, new String[] {"1", null}, new String[] {null, "boom \"quoted\""}));
    output.accept(
        TaskResult.of(
            TaskChunk.ofItems("j", 1, 2, new String[] {"x\ty"}),
            "w2",
            5,
            new String[] {"{\"a\":[1,2]}"},
            new String[] {null}));
    output.flush();
    String[] lines = out.toString().split("\n");
    assertThat(lines).hasSize(3);
    JsonNode first = JSON.readTree(lines[0]);
    assertThat(first.get("index").asLong()).isZero();
    assertThat(first.get("item").isNumber()).isTrue();
    assertThat(first.get("item").asLong()).isEqualTo(1);
    assertThat(first.get("result").asLong()).isEqualTo(1);
    assertThat(first.get("worker").asText()).isEqualTo("w1");
    assertThat(first.has("error")).isFalse();
    JsonNode second = JSON.readTree(lines[1]);
    assertThat(second.get("error").asText()).isEqualTo("boom \"quoted\"");
    assertThat(second.has("result")).isFalse();
    JsonNode third = JSON.readTree(lines[2]);
    assertThat(third.get("item").asText()).isEqualTo("x\ty");
    assertThat(third.get("result").get("a").get(1).asInt()).isEqualTo(2);
  }

  @Test
  void jsonLines_controlCharactersFromTheCluster_escapedAndTheSameValues() throws IOException {
    String planted = "a\u001b[2Jb\u009bc\u007fd\u202ee\u0007";
    StringWriter out = new StringWriter();
    JsonLinesOutput output = new JsonLinesOutput(out);
    output.accept(
        TaskResult.of(
            TaskChunk.ofItems("j", 0, 0, new String[] {planted, planted}),
            "w\u001b]0;x\u0007",
            5,
            // A raw value with the characters left in, as a forged result would bring them.
            new String[] {"{\"v\":\"" + planted + "\"}\n", null},
            new String[] {null, planted}));
    output.flush();

    String text = out.toString();
    String[] lines = text.split("\n");
    assertThat(lines).hasSize(2);
    for (String line : lines) {
      assertThat(line.chars().filter(c -> dev.crew.common.TerminalText.isControl((char) c)))
          .as(line)
          .isEmpty();
    }
    JsonNode first = JSON.readTree(lines[0]);
    assertThat(first.get("item").asText()).isEqualTo(planted);
    assertThat(first.get("result").get("v").asText()).isEqualTo(planted);
    assertThat(first.get("worker").asText()).isEqualTo("w\u001b]0;x\u0007");
    assertThat(JSON.readTree(lines[1]).get("error").asText()).isEqualTo(planted);
  }

  @Test
  void rawValue_validJsonWithoutControls_unchanged() {
    String json = "{\"a\":[1,\"x y\"],\"b\":\"\\u001b\"}";
    assertThat(JsonLinesOutput.rawValue(json)).isSameAs(json);
    assertThat(JsonLinesOutput.rawValue("[1,\n2]")).isEqualTo("[1, 2]");
  }

  @Test
  void jsonLines_failedOnlySkipsSuccesses() throws IOException {
    StringWriter out = new StringWriter();
    JsonLinesOutput output = new JsonLinesOutput(out, /* failedOnly= */ true);
    output.accept(rangeResult(0, 0, new String[] {"1", null}, new String[] {null, "boom"}));
    output.flush();
    assertThat(out.toString().split("\n")).hasSize(1);
    assertThat(out.toString()).contains("\"error\":\"boom\"").doesNotContain("\"result\"");
  }

  @Test
  void inOrder_holdsBackEarlyResults() throws IOException {
    List<Long> seen = new ArrayList<>();
    InOrder inOrder = new InOrder(result -> seen.add(result.seq()));
    inOrder.accept(rangeResult(2, 2, new String[] {"3"}, new String[1]));
    inOrder.accept(rangeResult(1, 1, new String[] {"2"}, new String[1]));
    assertThat(seen).isEmpty();
    assertThat(inOrder.waiting()).isEqualTo(2);
    inOrder.accept(rangeResult(0, 0, new String[] {"1"}, new String[1]));
    assertThat(seen).containsExactly(0L, 1L, 2L);
    assertThat(inOrder.waiting()).isZero();
  }

  private static Reduction reduction(String name) {
    return new Reduction(Reduction.find(name, HandlersTest.class.getClassLoader()));
  }

  @Test
  void reduction_sumIsExactForHugeIntegers() {
    Reduction sum = reduction("sum");
    sum.accept(
        rangeResult(
            0, 0, new String[] {"9223372036854775807", "9223372036854775807"}, new String[2]));
    assertThat(sum.value()).isEqualTo("18446744073709551614");
  }

  @Test
  void reduction_skipsFailuresAndCountsNonNumbers() {
    Reduction max = reduction("max");
    max.accept(
        rangeResult(
            0,
            0,
            new String[] {"3", null, "\"text\"", "2.5"},
            new String[] {null, "x", null, null}));
    assertThat(max.value()).isEqualTo("3");
    assertThat(max.leftOut()).isEqualTo(1);
    Reduction count = reduction("count");
    count.accept(rangeResult(0, 0, new String[] {"3", null}, new String[] {null, "x"}));
    assertThat(count.value()).isEqualTo("1");
  }

  @Test
  void reduction_minOfNothingIsNullSumIsZero() {
    assertThat(reduction("min").value()).isEqualTo("null");
    assertThat(reduction("sum").value()).isEqualTo("0");
  }

  @Test
  void reduction_unknownOpRefused() {
    assertThatThrownBy(() -> reduction("avg"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad --reduce 'avg'")
        .hasMessageEndingWith(" (known: count, histogram, max, mean, min, sum)");
  }

  @Test
  void reduction_nameInAnyCaseAndSpacing() {
    Reduction mean = reduction(" MEAN ");
    mean.accept(rangeResult(0, 0, new String[] {"1", "2"}, new String[2]));
    assertThat(mean.name()).isEqualTo("mean");
    assertThat(mean.value()).isEqualTo("1.5");
  }
}
