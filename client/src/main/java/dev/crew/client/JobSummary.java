package dev.crew.client;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * How a job ended.
 *
 * @param jobId the job's id
 * @param ok items that succeeded
 * @param failed items that failed
 * @param tasks tasks the input was cut into
 * @param wall time from submission to the last result
 * @param perWorker items run by each worker, by its name
 * @param cancelled whether the job was cancelled before every item had a result
 * @param reduction the value of the job's reduction as JSON text, if it asked for one
 */
public record JobSummary(
    String jobId,
    long ok,
    long failed,
    long tasks,
    Duration wall,
    Map<String, Long> perWorker,
    boolean cancelled,
    Optional<String> reduction) {

  /** Copies the map. */
  public JobSummary {
    perWorker = Map.copyOf(perWorker);
  }

  /**
   * Items with a result.
   *
   * @return ok and failed items together
   */
  public long items() {
    return ok + failed;
  }
}
