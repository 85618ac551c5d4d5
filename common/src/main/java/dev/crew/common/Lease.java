package dev.crew.common;

import static java.util.Objects.requireNonNull;

/**
 * The record that a worker is running a task: stored in the lease map from the moment the task leaves its queue (in
 * the same transaction) until its result is recorded. If the worker leaves the cluster or stops heartbeating, the
 * task goes back on its queue from here.
 *
 * @param workerUuid the Hazelcast member uuid of the worker, as the cluster's membership events name it
 * @param workerName the worker's {@code host:port}, for people
 */
public record Lease(TaskChunk chunk, Lane lane, String workerUuid, String workerName, long takenMillis) {

  public Lease {
    requireNonNull(chunk, "chunk");
    requireNonNull(lane, "lane");
    requireNonNull(workerUuid, "workerUuid");
    requireNonNull(workerName, "workerName");
  }

  public String taskId() {
    return chunk.taskId();
  }
}
