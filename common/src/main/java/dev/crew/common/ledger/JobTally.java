package dev.crew.common.ledger;

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
    long lastEnd) {
  public JobTally {
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
        theirs ? other.lastEnd : lastEnd);
  }
}
