package dev.crew.common.ledger;

/**
 * How many of a job's stored tasks stand in each state: what an audit, a status view or a resumed
 * submitter needs to know.
 */
public record JobTally(long queued, long claimed, long recorded, long consumed) {
  public JobTally {
    if (queued < 0 || claimed < 0 || recorded < 0 || consumed < 0) {
      throw new IllegalArgumentException("counts must not be negative");
    }
  }

  public static final JobTally EMPTY = new JobTally(0, 0, 0, 0);

  /** Tasks stored and not yet consumed. */
  public long open() {
    return queued + claimed + recorded;
  }

  public long stored() {
    return open() + consumed;
  }

  JobTally plus(JobTally other) {
    return new JobTally(
        queued + other.queued,
        claimed + other.claimed,
        recorded + other.recorded,
        consumed + other.consumed);
  }
}
