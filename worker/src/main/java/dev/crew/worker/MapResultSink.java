package dev.crew.worker;

import com.hazelcast.map.IMap;
import dev.crew.common.TaskResult;
import dev.crew.worker.stats.WorkerEvents;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records results in the cluster's results map, keyed by task id, with {@code putIfAbsent}: the first complete write
 * wins and a late duplicate is dropped and counted. Writes happen off the lane thread so a lane thread goes back to computing
 * at once; a bound on writes in flight keeps a slow cluster from filling this worker's heap.
 */
final class MapResultSink implements ResultSink {
  private static final Logger log = LoggerFactory.getLogger(MapResultSink.class);
  private static final int MAX_IN_FLIGHT = 1_024;

  private final IMap<String, TaskResult> results;
  private final IMap<String, ?> leases;
  private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
  private final AtomicLong duplicates = new AtomicLong();
  private final WorkerEvents events;
  /** IMap has no asynchronous putIfAbsent; a virtual thread per write gives the same without tying up a lane. */
  private final Executor writers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("crew-record-", 1).factory());

  MapResultSink(IMap<String, TaskResult> results, IMap<String, ?> leases) {
    this(results, leases, WorkerEvents.NONE);
  }

  MapResultSink(IMap<String, TaskResult> results, IMap<String, ?> leases, WorkerEvents events) {
    this.results = results;
    this.leases = leases;
    this.events = events;
  }

  @Override
  public void record(TaskResult result) throws InterruptedException {
    inFlight.acquire();
    writers.execute(
        () -> {
          try {
            if (results.putIfAbsent(result.taskId(), result) != null) {
              long dropped = duplicates.incrementAndGet();
              log.info(
                  "task {} already had a result (its lease had passed to another worker): dropped this late"
                      + " duplicate ({} so far)",
                  result.taskId(),
                  dropped);
              events.duplicateDropped(result.taskId());
            }
            // Only once the result is stored: a worker that dies before this line leaves a lease behind, and the
            // task runs again elsewhere; its second result is then the dropped duplicate.
            leases.delete(result.taskId());
          } catch (RuntimeException e) {
            log.warn("could not record the result of task {}: {}", result.taskId(), e.toString());
          } finally {
            inFlight.release();
          }
        });
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
