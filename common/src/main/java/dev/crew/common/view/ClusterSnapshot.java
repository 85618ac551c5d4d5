package dev.crew.common.view;

import dev.crew.common.CrewEvent;
import dev.crew.common.WorkerStats;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The cluster at one moment, as the CLI views and the dashboard show it: every worker's live
 * numbers, the lane queue depths, the most recent jobs with their progress and rate, their latest
 * failures, and recent reliability events.
 *
 * @param itemsPerSecond all workers' items per second together
 * @param storedJobs how many jobs the cluster keeps (running and ended), -1 when not counted
 * @param foreignJobs entries of the jobs map that are not Crew jobs, or not signed with the cluster
 *     secret: skipped
 */
public record ClusterSnapshot(
    String cluster,
    long takenMillis,
    List<WorkerStats> workers,
    Map<String, Integer> queues,
    List<JobRow> jobs,
    List<Failure> failures,
    List<CrewEvent> events,
    double itemsPerSecond,
    int storedJobs,
    int foreignJobs) {

  /** What a failure shows in place of its error when failure text is hidden. */
  public static final String HIDDEN = "(hidden)";

  /**
   * This snapshot with each failure's item and error text left out, for views that must not show
   * what went into or came out of a job: the failures stay counted, with their job and index.
   */
  public ClusterSnapshot withoutFailureText() {
    return new ClusterSnapshot(
        cluster,
        takenMillis,
        workers,
        queues,
        jobs,
        failures.stream()
            .map(f -> new Failure(f.jobId(), f.index(), null, HIDDEN, f.worker()))
            .toList(),
        events,
        itemsPerSecond,
        storedJobs,
        foreignJobs);
  }

  /**
   * One job.
   *
   * @param total items in the job, or -1 while it is still being submitted
   * @param itemsPerSecond items settled per second since the previous snapshot (or on average, the
   *     first time)
   */
  public record JobRow(
      String id,
      String task,
      String lane,
      String state,
      long done,
      long total,
      long ok,
      long failed,
      double itemsPerSecond,
      long createdMillis) {

    /** Done as a share of the total, 0 to 1; 0 while the total is unknown. */
    public double fraction() {
      return total > 0 ? Math.min(1.0, done / (double) total) : 0;
    }
  }

  /**
   * One failed item: its job, 0-based index in the job's input, the item, its error, and the worker
   * it ran on.
   */
  public record Failure(
      String jobId, long index, @Nullable String item, String error, String worker) {}
}
