package dev.crew.client.job;

import dev.crew.common.TerminalText;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How a job ended, as the submitting coordinator saw it.
 *
 * @param perWorker items run by each worker
 */
public record Outcome(
    String jobId,
    long ok,
    long failed,
    long tasks,
    Duration wall,
    Map<String, Long> perWorker,
    boolean cancelled) {

  public Outcome {
    perWorker = Map.copyOf(perWorker);
  }

  public long items() {
    return ok + failed;
  }

  /** The one-line summary printed at the end. */
  public String summary() {
    double seconds = Math.max(wall.toNanos() / 1e9, 1e-9);
    String workers =
        perWorker.entrySet().stream()
            .sorted(Map.Entry.comparingByKey())
            .map(e -> TerminalText.of(e.getKey()) + " " + e.getValue())
            .collect(Collectors.joining(", "));
    return String.format(
        "job %s%s: %d ok, %d failed in %.2f s (%s items/s); items per worker: %s",
        TerminalText.of(jobId),
        cancelled ? " cancelled" : "",
        ok,
        failed,
        seconds,
        rate(items() / seconds),
        workers.isEmpty() ? "none" : workers);
  }

  private static String rate(double perSecond) {
    return perSecond >= 100 ? String.format("%,.0f", perSecond) : String.format("%.1f", perSecond);
  }
}
