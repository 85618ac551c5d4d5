package dev.crew.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses what {@code coordinator submit|run} prints: JSON lines on stdout, a one-line summary on
 * stderr.
 */
final class JobOutput {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SUMMARY =
      Pattern.compile(
          "^job (\\S+?)( cancelled)?: (\\d+) ok, (\\d+) failed in ([0-9.,]+) s \\(.*\\); items per worker: (.*)$");

  private JobOutput() {}

  /**
   * One item's line: {@code {"index": i, "item": ..., "result"|"error": ..., "worker":
   * "host:port"}}.
   */
  record Line(int index, JsonNode item, JsonNode result, String error, String worker, String raw) {
    boolean ok() {
      return result != null && error == null;
    }
  }

  /**
   * The summary: {@code job ID: N ok, M failed in S s (R items/s); items per worker: host:port K,
   * ...}.
   */
  record Summary(
      String jobId, long ok, long failed, double seconds, Map<String, Long> itemsPerWorker) {}

  /** Every stdout line as an item line; fails (with the run's logs) on any line that is not one. */
  static List<Line> lines(CrewLaunchers.Run run) {
    List<Line> lines = new ArrayList<>();
    for (String raw : run.stdoutLines()) {
      JsonNode node;
      try {
        node = JSON.readTree(raw);
      } catch (JsonProcessingException e) {
        throw new AssertionError("stdout line is not JSON: " + raw + "\n" + run.describe(), e);
      }
      assertThat(node != null && node.isObject())
          .as("stdout line is not a JSON object: %s", raw)
          .isTrue();
      assertThat(node.path("index").isIntegralNumber()).as("no integer index in %s", raw).isTrue();
      assertThat(node.has("item")).as("no item in %s", raw).isTrue();
      assertThat(node.path("worker").isTextual()).as("no worker in %s", raw).isTrue();
      assertThat(node.has("result") ^ node.has("error"))
          .as("exactly one of result/error in %s", raw)
          .isTrue();
      lines.add(
          new Line(
              node.get("index").asInt(),
              node.get("item"),
              node.get("result"),
              node.has("error") ? node.get("error").asText() : null,
              node.get("worker").asText(),
              raw));
    }
    return lines;
  }

  /**
   * Asserts that the run printed each of items {@code 0..items-1} exactly once, each a success;
   * {@code logs} goes with any failure.
   */
  static void assertEveryItemOnceOk(CrewLaunchers.Run run, int items, String logs) {
    BitSet seen = new BitSet(items);
    for (Line line : lines(run)) {
      assertThat(line.index()).as(() -> line.raw() + "\n" + logs).isBetween(0, items - 1);
      assertThat(seen.get(line.index())).as(() -> "printed twice: " + line.raw()).isFalse();
      seen.set(line.index());
      assertThat(line.ok()).as(() -> line.raw() + "\n" + logs).isTrue();
    }
    assertThat(seen.cardinality()).as(() -> "items printed\n" + logs).isEqualTo(items);
  }

  /** The summary line on stderr (the last one that looks like a summary). */
  static Summary summary(CrewLaunchers.Run run) {
    Matcher found = null;
    for (String line : run.stderrLines()) {
      Matcher m = SUMMARY.matcher(line);
      if (m.matches()) {
        found = m;
      }
    }
    if (found == null) {
      throw new AssertionError("no job summary line on stderr\n" + run.describe());
    }
    Map<String, Long> perWorker = new LinkedHashMap<>();
    String workers = found.group(6);
    if (!workers.equals("none")) {
      for (String entry : workers.split(", ")) {
        int space = entry.lastIndexOf(' ');
        assertThat(space)
            .as("bad 'items per worker' entry '%s' in: %s", entry, found.group())
            .isPositive();
        perWorker.put(entry.substring(0, space), Long.parseLong(entry.substring(space + 1)));
      }
    }
    return new Summary(
        found.group(1),
        Long.parseLong(found.group(3)),
        Long.parseLong(found.group(4)),
        Double.parseDouble(found.group(5).replace(',', '.')),
        perWorker);
  }
}
