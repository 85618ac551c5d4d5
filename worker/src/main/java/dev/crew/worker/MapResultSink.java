package dev.crew.worker;

import com.hazelcast.map.IMap;
import dev.crew.common.TaskResult;
import dev.crew.worker.stats.WorkerEvents;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records results in the cluster's results map, keyed by task id, with {@code putIfAbsent}: the
 * first complete write wins and a late duplicate is dropped and counted. Only once the result is
 * stored are the task's lease and its entry in the task map deleted: a worker that dies before that
 * leaves both behind, and the task runs again elsewhere; its second result is then the dropped
 * duplicate.
 *
 * <p>Writes are asynchronous so a lane thread goes back to computing at once; a bound on writes in
 * flight keeps a slow cluster from filling this worker's heap.
 */
final class MapResultSink implements ResultSink {
  private static final Logger log = LoggerFactory.getLogger(MapResultSink.class);
  private static final int MAX_IN_FLIGHT = 1_024;

  private final IMap<String, TaskResult> results;
  private final IMap<String, ?> leases;
  private final IMap<String, ?> tasks;

  /** What follows a write runs here, not on the Hazelcast thread that completed it. */
  private static final Executor FOLLOW_UP =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("crew-record-", 1).factory());

  private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
  private final AtomicLong duplicates = new AtomicLong();
  private final WorkerEvents events;

  MapResultSink(IMap<String, TaskResult> results, IMap<String, ?> leases, IMap<String, ?> tasks) {
    this(results, leases, tasks, WorkerEvents.NONE);
  }

  MapResultSink(
      IMap<String, TaskResult> results,
      IMap<String, ?> leases,
      IMap<String, ?> tasks,
      WorkerEvents events) {
    this.results = results;
    this.leases = leases;
    this.tasks = tasks;
    this.events = events;
  }

  @Override
  public void record(TaskResult result) throws InterruptedException {
    inFlight.acquire();
    String taskId = result.taskId();
    try {
      Async.putIfAbsent(results, taskId, result)
          .thenComposeAsync(
              earlier -> {
                if (earlier != null) {
                  long dropped = duplicates.incrementAndGet();
                  log.info(
                      "task {} already had a result (its lease had passed to another worker): dropped this late"
                          + " duplicate ({} so far)",
                      taskId,
                      dropped);
                  events.duplicateDropped(taskId);
                }
                return CompletableFuture.allOf(
                    leases.deleteAsync(taskId).toCompletableFuture(),
                    tasks.deleteAsync(taskId).toCompletableFuture());
              },
              FOLLOW_UP)
          .whenComplete(
              (done, failure) -> {
                inFlight.release();
                if (failure != null) {
                  // The lease and the task stay behind: the task runs again elsewhere, and is
                  // recorded once.
                  log.warn(
                      "could not record the result of task {}: {}", taskId, failure.toString());
                }
              });
    } catch (RuntimeException e) {
      inFlight.release();
      log.warn("could not record the result of task {}: {}", taskId, e.toString());
    }
  }

  /** Results this worker produced that lost to an earlier one for the same task. */
  long duplicates() {
    return duplicates.get();
  }

  /** Waits until every write in flight has completed (before leaving the cluster). */
  void flush() throws InterruptedException {
    inFlight.acquire(MAX_IN_FLIGHT);
    inFlight.release(MAX_IN_FLIGHT);
  }
}
