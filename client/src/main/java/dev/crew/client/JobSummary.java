package dev.crew.client;

import dev.crew.common.Lane;
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
 * @param chosenLane for a job of a task that declares no lane, the lane chosen from its first
 *     items' CPU time against their wall time
 */
public record JobSummary(
    String jobId,
    long ok,
    long failed,
    long tasks,
    Duration wall,
    Map<String, Long> perWorker,
    boolean cancelled,
    Optional<String> reduction,
    Optional<Lane> chosenLane) {

  /** Copies the map. */
  public JobSummary {
    perWorker = Map.copyOf(perWorker);
  }

  /**
   * How a job on a lane its task or spec named ended.
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
  public JobSummary(
      String jobId,
      long ok,
      long failed,
      long tasks,
      Duration wall,
      Map<String, Long> perWorker,
      boolean cancelled,
      Optional<String> reduction) {
    this(jobId, ok, failed, tasks, wall, perWorker, cancelled, reduction, Optional.empty());
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
