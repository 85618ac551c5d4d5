package dev.crew.common.ledger;

import java.util.ArrayList;
import java.util.List;

/**
 * How many of a job's stored tasks stand in each state, and what its recorded (unread) results
 * hold: what an audit, a status view, a result budget or a resumed submitter needs to know.
 *
 * @param unreadOk items that succeeded in results recorded and not yet consumed
 * @param unreadFailed items that failed in results recorded and not yet consumed
 * @param unreadBytes what those results hold ({@code TaskResult.heldBytes})
 * @param itemsOk items that succeeded in every result recorded, read or not
 * @param itemsFailed items that failed in every result recorded, read or not
 * @param lastSeq the highest task sequence stored, or -1
 * @param lastEnd the item index after that task's items, or -1
 * @param waitingAt for a pipeline, per stage, its tasks queued or claimed at that stage (not yet
 *     past it); empty for a job of one stage
 */
public record JobTally(
    long queued,
    long claimed,
    long recorded,
    long consumed,
    long unreadOk,
    long unreadFailed,
    long unreadBytes,
    long itemsOk,
    long itemsFailed,
    long lastSeq,
    long lastEnd,
    List<Long> waitingAt) {

  /** The tally of a job of one stage. */
  public JobTally(
      long queued,
      long claimed,
      long recorded,
      long consumed,
      long unreadOk,
      long unreadFailed,
      long unreadBytes,
      long itemsOk,
      long itemsFailed,
      long lastSeq,
      long lastEnd) {
    this(
        queued,
        claimed,
        recorded,
        consumed,
        unreadOk,
        unreadFailed,
        unreadBytes,
        itemsOk,
        itemsFailed,
        lastSeq,
        lastEnd,
        List.of());
  }

  public JobTally {
    waitingAt = List.copyOf(waitingAt);
    if (queued < 0
        || claimed < 0
        || recorded < 0
        || consumed < 0
        || unreadOk < 0
        || unreadFailed < 0
        || unreadBytes < 0
        || itemsOk < 0
        || itemsFailed < 0) {
      throw new IllegalArgumentException("counts must not be negative");
    }
  }

  /** Counts of tasks only. */
  public JobTally(long queued, long claimed, long recorded, long consumed) {
    this(queued, claimed, recorded, consumed, 0, 0, 0, 0, 0, -1, -1);
  }

  public static final JobTally EMPTY = new JobTally(0, 0, 0, 0);

  /**
   * For a pipeline, per stage, its stored tasks that are past that stage: recorded there, and
   * handed on (or, for the last, the job's results); empty for a job of one stage.
   */
  public List<Long> pastStages() {
    List<Long> past = new ArrayList<>(waitingAt.size());
    long waiting = 0;
    for (long at : waitingAt) {
      waiting += at;
      past.add(stored() - waiting);
    }
    return past;
  }

  private static List<Long> sum(List<Long> a, List<Long> b) {
    if (b.isEmpty()) {
      return a;
    }
    if (a.isEmpty()) {
      return b;
    }
    List<Long> sum = new ArrayList<>();
    for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
      sum.add((i < a.size() ? a.get(i) : 0) + (i < b.size() ? b.get(i) : 0));
    }
    return sum;
  }

  /** Tasks stored and not yet consumed. */
  public long open() {
    return queued + claimed + recorded;
  }

  public long stored() {
    return open() + consumed;
  }

  /** Tasks with a result, read or not. */
  public long done() {
    return recorded + consumed;
  }

  /** The same counts of tasks per state, without the rest: what tests compare. */
  public JobTally states() {
    return new JobTally(queued, claimed, recorded, consumed);
  }

  JobTally plus(JobTally other) {
    boolean theirs = other.lastSeq > lastSeq;
    return new JobTally(
        queued + other.queued,
        claimed + other.claimed,
        recorded + other.recorded,
        consumed + other.consumed,
        unreadOk + other.unreadOk,
        unreadFailed + other.unreadFailed,
        unreadBytes + other.unreadBytes,
        itemsOk + other.itemsOk,
        itemsFailed + other.itemsFailed,
        theirs ? other.lastSeq : lastSeq,
        theirs ? other.lastEnd : lastEnd,
        sum(waitingAt, other.waitingAt));
  }
}
