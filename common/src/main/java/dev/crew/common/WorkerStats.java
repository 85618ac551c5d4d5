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
 * @param ioKeys the limits its adaptive io lane keeps per task and target host, busiest first (at
 *     most {@link #MAX_IO_KEYS}); empty for a fixed lane, and from workers that predate them
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
    List<JobDone> jobs,
    List<KeyLimit> ioKeys) {

  /** Most {@link KeyLimit}s a worker publishes: its busiest. */
  public static final int MAX_IO_KEYS = 8;

  public WorkerStats {
    requireNonNull(name, "name");
    requireNonNull(host, "host");
    jobs = List.copyOf(jobs);
    ioKeys = List.copyOf(ioKeys);
  }

  /**
   * The limit an adaptive io lane keeps for one key: a task, or a task and the host it calls
   * ({@code http-get http://example.com:443}), and how many of its items are in flight.
   */
  public record KeyLimit(String key, int limit, int busy) {
    public KeyLimit {
      requireNonNull(key, "key");
    }
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
