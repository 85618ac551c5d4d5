package dev.crew.common.ledger;

import static java.util.Objects.requireNonNull;

import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;

/**
 * Where one task stands in its {@linkplain TaskBlock block}. The moves are Queued -> Claimed ->
 * Recorded -> Consumed, and Claimed -> Queued when the claim is put back (its holder left, or let
 * its deadline pass); a result is accepted from Queued or Claimed alike (the first one wins), never
 * from Recorded or Consumed. Each state holds only what the next move needs, so a block shrinks as
 * its tasks move on.
 */
public sealed interface TaskState {

  /** Waiting for a worker; {@code task} carries the attempt it will run as. */
  record Queued(TaskChunk task) implements TaskState {
    public Queued {
      requireNonNull(task, "task");
    }
  }

  /**
   * Held by {@code worker} (on member {@code memberUuid}) until {@code deadlineMillis}, which its
   * renewals move on. A claim is a promise to record, not a lock: whoever records first wins.
   */
  record Claimed(TaskChunk task, String worker, String memberUuid, long deadlineMillis)
      implements TaskState {
    public Claimed {
      requireNonNull(task, "task");
      requireNonNull(worker, "worker");
      requireNonNull(memberUuid, "memberUuid");
    }

    Queued putBack() {
      return new Queued(task.nextAttempt());
    }
  }

  /** The task's first result; later ones for the same task are duplicates. */
  record Recorded(TaskResult result) implements TaskState {
    public Recorded {
      requireNonNull(result, "result");
    }
  }

  /**
   * Delivered to the submitter: only the counts stay, {@code end}, the item index after the task's
   * items (where a resumed submitter goes on), and {@code recording}, a fingerprint of the result
   * that was delivered (who recorded it, and how long it ran), by which a merge after a split tells
   * that copy from another run's.
   */
  record Consumed(int ok, int failed, long end, int recording) implements TaskState {
    public Consumed {
      if (ok < 0 || failed < 0) {
        throw new IllegalArgumentException("counts must not be negative");
      }
    }

    static Consumed of(TaskResult result) {
      return new Consumed(
          result.ok(), result.failed(), result.firstIndex() + result.count(), fingerprint(result));
    }

    /** Which run a result came from: its worker, its attempt and its time. */
    static int fingerprint(TaskResult result) {
      return java.util.Objects.hash(result.worker(), result.attempt(), result.elapsedNanos());
    }
  }
}
