package dev.crew.worker;

import dev.crew.worker.stats.WorkerEvents;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The events a member reported, in order; installed in its user context in place of a worker's. */
final class RecordedEvents implements WorkerEvents {
  /** Put-backs: how many tasks each reported. */
  final List<Integer> putBacks = new CopyOnWriteArrayList<>();

  /** Workers whose tasks were put back, one entry per put-back. */
  final List<String> putBackWorkers = new CopyOnWriteArrayList<>();

  final List<String> duplicates = new CopyOnWriteArrayList<>();

  @Override
  public void requeued(String worker, String why, int tasks) {
    putBackWorkers.add(worker);
    putBacks.add(tasks);
  }

  @Override
  public void refused(String what, String reason) {}

  @Override
  public void duplicateDropped(String taskId) {
    duplicates.add(taskId);
  }
}
