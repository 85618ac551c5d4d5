package dev.crew.client.job;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.crew.common.Names;
import dev.crew.common.Redo;
import dev.crew.common.TaskResult;
import dev.crew.common.ledger.TaskLedger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The reading side of a job's results: the ledger holds them recorded and unread, the results map
 * is the archive of those handed on. Whoever hands results on writes their archive copies first and
 * settles them in the ledger after, so a reader that dies in between finds them in the ledger again
 * (or in both places), never in neither.
 *
 * <p>Every call here is safe to repeat (reading, settling twice, writing the same copy twice), so
 * one that fails because a member left mid-call, or that a backup did not confirm, is redone
 * ({@link Redo}) instead of ending the run.
 */
public final class ResultArchive {
  /** Results moved from the ledger to the archive per round by {@link #takeUnread}. */
  private static final int BATCH = 256;

  private final IMap<String, TaskResult> results;
  private final TaskLedger ledger;

  public ResultArchive(HazelcastInstance hazelcast, TaskLedger ledger) {
    this.results = hazelcast.getMap(Names.RESULTS);
    this.ledger = ledger;
  }

  /** Up to {@code max} of the job's results recorded and not yet settled; changes nothing. */
  List<TaskResult> pending(String jobId, int max) {
    return Redo.idempotent(() -> ledger.pending(jobId, max));
  }

  /**
   * Settles {@code handedOn} (handed on, and archived where the archive keeps them), then reads up
   * to {@code max} of the job's results recorded and not yet settled: one call per batch.
   */
  List<TaskResult> settleThenPending(String jobId, List<TaskResult> handedOn, int max) {
    return Redo.idempotent(() -> ledger.settleThenPending(jobId, handedOn, max));
  }

  /** Settles {@code handedOn} (handed on, and archived where the archive keeps them). */
  void settle(String jobId, List<TaskResult> handedOn) {
    if (!handedOn.isEmpty()) {
      Redo.idempotent(() -> ledger.settle(jobId, handedOn));
    }
  }

  /**
   * Writes {@code copies} (what the archive keeps of results handed on: their failures, or the
   * whole result when kept) to the archive.
   */
  public void archive(Map<String, TaskResult> copies) {
    if (!copies.isEmpty()) {
      Map<String, TaskResult> written = Map.copyOf(copies);
      Redo.idempotent(
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
    long recorded = Redo.idempotent(() -> ledger.tally(jobId).recorded());
    long moved = 0;
    while (moved < recorded) {
      List<TaskResult> batch = pending(jobId, BATCH);
      if (batch.isEmpty()) {
        break;
      }
      Map<String, TaskResult> absent = new HashMap<>();
      batch.forEach(result -> absent.put(result.taskId(), result));
      absent.keySet().removeAll(Redo.idempotent(() -> results.getAll(absent.keySet())).keySet());
      archiveThenSettle(jobId, absent, batch);
      moved += batch.size();
    }
    return moved;
  }
}
