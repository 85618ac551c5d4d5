package dev.crew.worker;

import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import dev.crew.common.ledger.RecordOutcome;
import dev.crew.common.ledger.TaskLedger;
import dev.crew.worker.stats.WorkerEvents;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records results in the ledger, in batches: one writer thread takes every result that arrived
 * while its previous write was on the wire, so a busy worker records many tasks per call and an
 * idle one records each at once. The first result of a task wins; a late duplicate is dropped and
 * counted. A result that could not be written leaves its task claimed by this worker, which puts
 * the claim back (it no longer runs the task) and another worker runs it again.
 *
 * <p>A bound on results waiting keeps a slow cluster from filling this worker's heap: a lane thread
 * that finds it full waits.
 */
final class LedgerResultSink implements ResultSink, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LedgerResultSink.class);
  private static final int MAX_WAITING = 4_096;
  private static final int MAX_BATCH = 512;

  private final TaskLedger ledger;
  private final WorkerEvents events;
  private final Consumer<TaskResult> written;

  /** A result, with the task of its pipeline's next stage when it has one. */
  private record Finished(TaskResult result, @Nullable TaskChunk next) {}

  private final LinkedBlockingQueue<Finished> waiting = new LinkedBlockingQueue<>();
  private final Semaphore room = new Semaphore(MAX_WAITING);
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong forgotten = new AtomicLong();
  private final Thread writer;

  /**
   * @param written called for each result once its write is over, whether it was kept, a duplicate,
   *     or could not be written
   */
  LedgerResultSink(TaskLedger ledger, WorkerEvents events, Consumer<TaskResult> written) {
    this.ledger = ledger;
    this.events = events;
    this.written = written;
    this.writer = Thread.ofPlatform().name("crew-record").daemon(true).start(this::writeLoop);
  }

  @Override
  public void record(TaskResult result) throws InterruptedException {
    record(result, null);
  }

  /**
   * As {@link #record(TaskResult)}, for a result of a pipeline's stage before its last: {@code
   * next} is the task of the next stage made from it, queued when the result is recorded.
   */
  void record(TaskResult result, @Nullable TaskChunk next) throws InterruptedException {
    room.acquire();
    waiting.add(new Finished(result, next));
  }

  private void writeLoop() {
    List<Finished> batch = new ArrayList<>();
    try {
      while (true) {
        batch.add(waiting.take());
        waiting.drainTo(batch, MAX_BATCH - 1);
        write(batch);
        room.release(batch.size());
        batch.clear();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // closing
    }
  }

  private void write(List<Finished> finished) {
    List<TaskResult> batch = new ArrayList<>(finished.size());
    List<TaskChunk> next = new ArrayList<>();
    for (Finished one : finished) {
      batch.add(one.result());
      if (one.next() != null) {
        next.add(one.next());
      }
    }
    try {
      RecordOutcome outcome = ledger.record(batch, next);
      if (!outcome.forgotten().isEmpty()) {
        forgotten.addAndGet(outcome.forgotten().size());
        log.debug(
            "dropped the results of {} tasks whose job is over or cancelled, e.g. {}",
            outcome.forgotten().size(),
            outcome.forgotten().getFirst());
      }
      for (String taskId : outcome.duplicates()) {
        long dropped = duplicates.incrementAndGet();
        log.info(
            "task {} already had a result (its claim had passed to another worker): dropped this"
                + " late duplicate ({} so far)",
            taskId,
            dropped);
        events.duplicateDropped(taskId);
      }
    } catch (RuntimeException e) {
      log.warn(
          "could not record the results of {} tasks (they run again elsewhere): {}",
          batch.size(),
          e.toString());
    }
    for (TaskResult result : batch) {
      written.accept(result);
    }
  }

  /**
   * Results this worker produced whose block its cluster no longer holds: their job is over or
   * cancelled, or (on a member cut off from the rest) the block is on the other side.
   */
  long forgotten() {
    return forgotten.get();
  }

  /** Results this worker produced that lost to an earlier one for the same task. */
  long duplicates() {
    return duplicates.get();
  }

  /** Waits until every result handed in so far is written (before leaving the cluster). */
  void flush() throws InterruptedException {
    room.acquire(MAX_WAITING);
    room.release(MAX_WAITING);
  }

  @Override
  public void close() {
    writer.interrupt();
  }
}
