package dev.crew.common;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What one worker is doing, as it publishes it every second in the {@link Names#STATS} map under
 * its member uuid, so that a client can see the whole cluster with one read.
 *
 * @param cpuBusy cpu lane slots in use now, of {@code cpuSlots}
 * @param ioSlots io lane items in flight at most: fixed, or the limit it has settled on so far
 * @param ioBusy io lane items in flight now, of {@code ioSlots}
 * @param ioAdaptive whether the io lane's limit adapts ({@code --io-concurrency auto}); false from
 *     workers that predate it
 * @param itemsPerSecond items settled per second over the last publishing interval
 * @param requeues tasks of lost or silent workers this worker put back on their queues
 * @param refusals jobs and tasks this worker refused because their signature did not match
 * @param duplicates late duplicate results this worker dropped
 * @param jobs what this worker recorded of each job it ran lately: live job progress without
 *     counting results
 */
public record WorkerStats(
    String name,
    String host,
    int cores,
    int cpuSlots,
    int cpuBusy,
    int ioSlots,
    int ioBusy,
    boolean ioAdaptive,
    long itemsOk,
    long itemsFailed,
    long tasksDone,
    double itemsPerSecond,
    long requeues,
    long refusals,
    long duplicates,
    long startedMillis,
    long updatedMillis,
    List<JobDone> jobs) {

  public WorkerStats {
    requireNonNull(name, "name");
    requireNonNull(host, "host");
    jobs = List.copyOf(jobs);
  }

  /** Items and tasks of one job that this worker settled and recorded. */
  public record JobDone(String jobId, long ok, long failed, long tasks) {
    public JobDone {
      requireNonNull(jobId, "jobId");
    }
  }

  public long itemsDone() {
    return itemsOk + itemsFailed;
  }
}
