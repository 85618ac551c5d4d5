package dev.crew.common;

import static java.util.Objects.requireNonNull;

/**
 * The record that a worker is running a task: stored in the lease map, keyed by task id, from just
 * after the task's id leaves its queue until its result is recorded. The task itself stays in the
 * task map meanwhile; if the worker leaves the cluster or stops heartbeating, the task's id goes
 * back on its queue from here.
 *
 * @param workerUuid the Hazelcast member uuid of the worker, as the cluster's membership events
 *     name it
 * @param workerName the worker's {@code host:port}, for people
 */
public record Lease(
    String taskId,
    String jobId,
    Lane lane,
    String workerUuid,
    String workerName,
    long takenMillis) {

  public Lease {
    requireNonNull(taskId, "taskId");
    requireNonNull(jobId, "jobId");
    requireNonNull(lane, "lane");
    requireNonNull(workerUuid, "workerUuid");
    requireNonNull(workerName, "workerName");
  }

  /** The lease of {@code chunk} for a worker that takes it now. */
  public static Lease of(
      TaskChunk chunk, Lane lane, String workerUuid, String workerName, long takenMillis) {
    return new Lease(chunk.taskId(), chunk.jobId(), lane, workerUuid, workerName, takenMillis);
  }
}
