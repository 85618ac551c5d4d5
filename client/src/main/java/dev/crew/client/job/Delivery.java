package dev.crew.client.job;

import dev.crew.common.TaskResult;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * What one run hands on: each task's results once, to the handler, counted; and the archive copies
 * of what it handed on, written before the ledger's results are settled.
 */
final class Delivery {
  private final InFlight inFlight;
  private final ResultHandler handler;
  private final ChunkPlanner planner;
  private final Progress progress;
  private final KeptResults kept;
  private final Map<String, TaskResult> copies = new HashMap<>();
  private final Map<String, Long> perWorker = new HashMap<>();
  private long tasks;
  private long ok;
  private long failed;
  private boolean unflushed;
  private double nanosPerTask;
  private double itemsPerTask;

  Delivery(
      InFlight inFlight,
      ResultHandler handler,
      ChunkPlanner planner,
      Progress progress,
      KeptResults kept) {
    this.inFlight = inFlight;
    this.handler = handler;
    this.planner = planner;
    this.progress = progress;
    this.kept = kept;
  }

  /** Hands on a result read from the ledger, unless its task was handed on already. */
  void fromLedger(TaskResult result) throws IOException {
    hand(result, /* archived= */ false);
  }

  /**
   * Hands on a result an earlier submission archived: counted only if it kept only the counts,
   * shown again if it kept the whole result.
   */
  void fromArchive(TaskResult result) throws IOException {
    hand(result, /* archived= */ true);
  }

  private void hand(TaskResult result, boolean archived) throws IOException {
    if (inFlight.handOver(result.seq()) < 0) {
      return;
    }
    unflushed = true;
    tasks++;
    ok += result.ok();
    failed += result.failed();
    progress.advance(result.count());
    if (result.consumed()) {
      handler.skip(result.seq());
      return;
    }
    planner.record(result.count(), result.elapsedNanos());
    itemsPerTask = itemsPerTask == 0 ? result.count() : 0.9 * itemsPerTask + 0.1 * result.count();
    nanosPerTask =
        nanosPerTask == 0
            ? result.elapsedNanos()
            : 0.9 * nanosPerTask + 0.1 * result.elapsedNanos();
    handler.accept(result);
    perWorker.merge(result.worker(), (long) result.count(), Long::sum);
    // The archive keeps what the ledger's counts cannot: kept values, and the failures that
    // results --failed and retry need.
    boolean keep = kept.keep(result);
    if (keep && !archived) {
      copies.put(result.taskId(), result);
    } else if (!keep && result.failed() > 0) {
      copies.put(result.taskId(), result.asConsumed());
    }
  }

  /**
   * Makes what was handed on visible and archives its copies: the results read with it may be
   * settled from then on.
   */
  void archive(ResultArchive archive) throws IOException {
    if (!unflushed && copies.isEmpty()) {
      return;
    }
    handler.flush();
    unflushed = false;
    archive.archive(copies);
    copies.clear();
  }

  /** Items per task handed on, a moving average; 0 until one is handed on. */
  double itemsPerTask() {
    return itemsPerTask;
  }

  /** Time a task's items took on its worker, a moving average; 0 until one is measured. */
  double nanosPerTask() {
    return nanosPerTask;
  }

  long tasks() {
    return tasks;
  }

  Outcome outcome(String jobId, Duration wall, boolean cancelled) {
    return new Outcome(jobId, ok, failed, tasks, wall, perWorker, cancelled);
  }
}
