package dev.crew.coordinator.job;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.spi.exception.RetryableException;
import com.hazelcast.spi.exception.TargetDisconnectedException;
import dev.crew.common.Names;
import dev.crew.common.TaskResult;
import dev.crew.common.ledger.TaskLedger;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The reading side of a job's results: the ledger holds them recorded and unread, the results map
 * is the archive of those handed on. Whoever hands results on writes their archive copies first and
 * settles them in the ledger after, so a reader that dies in between finds them in the ledger again
 * (or in both places), never in neither.
 *
 * <p>Every call here is safe to repeat (reading, settling twice, writing the same copy twice), so
 * one that fails because a member left mid-call is retried for a while instead of ending the run.
 */
public final class ResultArchive {
  /** Results moved from the ledger to the archive per round by {@link #takeUnread}. */
  private static final int BATCH = 256;

  private static final Duration RETRY_FOR = Duration.ofSeconds(10);
  private static final Duration FIRST_RETRY = Duration.ofMillis(20);

  private final IMap<String, TaskResult> results;
  private final TaskLedger ledger;

  public ResultArchive(HazelcastInstance hazelcast, TaskLedger ledger) {
    this.results = hazelcast.getMap(Names.RESULTS);
    this.ledger = ledger;
  }

  /** Up to {@code max} of the job's results recorded and not yet settled; changes nothing. */
  List<TaskResult> pending(String jobId, int max) {
    return retried(() -> ledger.pending(jobId, max));
  }

  /**
   * Settles {@code handedOn} (handed on, and archived where the archive keeps them), then reads up
   * to {@code max} of the job's results recorded and not yet settled: one call per batch.
   */
  List<TaskResult> settleThenPending(String jobId, List<TaskResult> handedOn, int max) {
    return retried(() -> ledger.settleThenPending(jobId, handedOn, max));
  }

  /** Settles {@code handedOn} (handed on, and archived where the archive keeps them). */
  void settle(String jobId, List<TaskResult> handedOn) {
    if (!handedOn.isEmpty()) {
      retried(() -> ledger.settle(jobId, handedOn));
    }
  }

  /**
   * Writes {@code copies} (what the archive keeps of results handed on: their failures, or the
   * whole result when kept) to the archive.
   */
  void archive(Map<String, TaskResult> copies) {
    if (!copies.isEmpty()) {
      Map<String, TaskResult> written = Map.copyOf(copies);
      retried(
          () -> {
            results.setAll(written);
            return written.size();
          });
    }
  }

  /** {@link #archive} {@code copies}, then {@link #settle} {@code read}. */
  void archiveThenSettle(String jobId, Map<String, TaskResult> copies, List<TaskResult> read) {
    archive(copies);
    settle(jobId, read);
  }

  /**
   * Moves the job's unread results from the ledger to the archive as whole, unread results (as
   * workers stored them before the ledger), settling each batch once it is written; a task the
   * archive has already (handed on by a submitter that died before it settled) keeps its entry.
   * Stops at what the ledger held when it started, so a job still running cannot keep it going.
   *
   * @return how many results were settled
   */
  public long takeUnread(String jobId) {
    long recorded = retried(() -> ledger.tally(jobId).recorded());
    long moved = 0;
    while (moved < recorded) {
      List<TaskResult> batch = pending(jobId, BATCH);
      if (batch.isEmpty()) {
        break;
      }
      Map<String, TaskResult> absent = new HashMap<>();
      batch.forEach(result -> absent.put(result.taskId(), result));
      absent.keySet().removeAll(retried(() -> results.getAll(absent.keySet())).keySet());
      archiveThenSettle(jobId, absent, batch);
      moved += batch.size();
    }
    return moved;
  }

  /**
   * Runs {@code call}, again after a short wait while it fails because a member left or was not
   * reachable, for up to {@link #RETRY_FOR}.
   */
  private static <T> T retried(Supplier<T> call) {
    long deadline = System.nanoTime() + RETRY_FOR.toNanos();
    long wait = FIRST_RETRY.toNanos();
    while (true) {
      try {
        return call.get();
      } catch (RuntimeException e) {
        if (!memberLost(e) || System.nanoTime() + wait > deadline) {
          throw e;
        }
      }
      LockSupport.parkNanos(wait);
      if (Thread.currentThread().isInterrupted()) {
        throw new IllegalStateException("interrupted while waiting for the cluster");
      }
      wait = Math.min(wait * 2, TimeUnit.SECONDS.toNanos(1));
    }
  }

  private static boolean memberLost(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof TargetDisconnectedException || t instanceof RetryableException) {
        return true;
      }
    }
    return false;
  }
}
