package dev.crew.worker.stats;

import com.hazelcast.core.HazelcastInstance;

/**
 * Where the worker reports its reliability events: tasks requeued after a worker was lost, jobs or
 * tasks refused for their signature, late duplicate results dropped. Each is counted for the
 * metrics and the stats map and kept in the cluster's event ringbuffer for the CLI and the
 * dashboard. Rare events: implementations may do I/O.
 */
public interface WorkerEvents {
  /** Reports nothing; for tests and for instances without a worker. */
  WorkerEvents NONE =
      new WorkerEvents() {
        @Override
        public void requeued(String worker, String why, int tasks) {}

        @Override
        public void refused(String what, String reason) {}

        @Override
        public void duplicateDropped(String taskId) {}
      };

  /** The key under which a worker keeps its events in its Hazelcast instance's user context. */
  String CONTEXT_KEY = "crew.worker-events";

  /**
   * {@code tasks} of {@code worker} went back on their queues because it {@code why} (left, went
   * silent, ...).
   */
  void requeued(String worker, String why, int tasks);

  /** A job or a task ({@code what}) was refused and none of its items ran, for {@code reason}. */
  void refused(String what, String reason);

  /** A result of task {@code taskId} lost to an earlier one and was dropped. */
  void duplicateDropped(String taskId);

  /**
   * A split-off part of the cluster merged back, and {@code count} results it brought lost to
   * earlier ones.
   */
  default void duplicatesMerged(long count) {}

  /**
   * The events of the worker that owns {@code hazelcast}, or {@link #NONE}; lets deep classes
   * report in one line.
   */
  static WorkerEvents of(HazelcastInstance hazelcast) {
    return hazelcast.getUserContext().get(CONTEXT_KEY) instanceof WorkerEvents events
        ? events
        : NONE;
  }
}
