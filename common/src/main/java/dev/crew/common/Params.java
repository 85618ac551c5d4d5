package dev.crew.common;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A job's task parameters ({@code --param K=V}), with typed readers that fail in one clear line.
 */
public record Params(Map<String, String> values) {

  public static final Params NONE = new Params(Map.of());

  public Params {
    values = Map.copyOf(values);
  }

  /** Parses {@code K=V} pairs as typed on the command line. */
  public static Params parse(Iterable<String> pairs) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String pair : pairs) {
      int eq = pair.indexOf('=');
      if (eq <= 0 || pair.substring(0, eq).isBlank()) {
        throw new IllegalArgumentException("bad --param '" + pair + "' (expected KEY=VALUE)");
      }
      values.put(pair.substring(0, eq).trim(), pair.substring(eq + 1));
    }
    return new Params(values);
  }

  /** Refuses any parameter the task does not know, so a typo is not silently ignored. */
  public Params allowOnly(String task, String... known) {
    Set<String> allowed = Set.of(known);
    for (String key : values.keySet()) {
      if (!allowed.contains(key)) {
        String expected =
            known.length == 0
                ? "it takes none"
                : "known: " + String.join(", ", new TreeSet<>(allowed));
        throw new IllegalArgumentException(
            "unknown parameter '" + key + "' for task " + task + " (" + expected + ")");
      }
    }
    return this;
  }

  public String get(String key, String fallback) {
    return values.getOrDefault(key, fallback);
  }

  public long getLong(String key, long fallback) {
    String text = values.get(key);
    if (text == null) {
      return fallback;
    }
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("parameter " + key + "='" + text + "' is not an integer");
    }
  }

  public Duration getDuration(String key, Duration fallback) {
    String text = values.get(key);
    return text == null ? fallback : Durations.parse(text, "parameter " + key);
  }
}
