package dev.crew.client.job;

import static java.util.Objects.requireNonNull;

import dev.crew.common.TerminalText;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How a job ended, as the submitting coordinator saw it.
 *
 * @param perWorker items run by each worker
 * @param lane for a job whose lane was chosen from measurements ({@code --lane auto}), the choice
 */
public record Outcome(
    String jobId,
    long ok,
    long failed,
    long tasks,
    Duration wall,
    Map<String, Long> perWorker,
    boolean cancelled,
    Optional<LaneChoice> lane) {

  public Outcome {
    perWorker = Map.copyOf(perWorker);
    requireNonNull(lane, "lane");
  }

  /** How a job on a lane chosen by the user or its task ended. */
  public Outcome(
      String jobId,
      long ok,
      long failed,
      long tasks,
      Duration wall,
      Map<String, Long> perWorker,
      boolean cancelled) {
    this(jobId, ok, failed, tasks, wall, perWorker, cancelled, Optional.empty());
  }

  /** This outcome with the lane chosen for it. */
  public Outcome withLane(LaneChoice choice) {
    return new Outcome(jobId, ok, failed, tasks, wall, perWorker, cancelled, Optional.of(choice));
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
        "job %s%s: %d ok, %d failed in %.2f s (%s items/s); items per worker: %s%s",
        TerminalText.of(jobId),
        cancelled ? " cancelled" : "",
        ok,
        failed,
        seconds,
        rate(items() / seconds),
        workers.isEmpty() ? "none" : workers,
        lane.map(choice -> "; " + choice.describe()).orElse(""));
  }

  private static String rate(double perSecond) {
    return perSecond >= 100 ? String.format("%,.0f", perSecond) : String.format("%.1f", perSecond);
  }
}
