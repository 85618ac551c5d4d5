package dev.crew.common;

/** Where a job is in its life. */
public enum JobState {
  /** The coordinator is still reading input and queuing tasks; the total is not known yet. */
  SUBMITTING,
  /** Every task is queued; the total is known. */
  RUNNING,
  /** Every task has a recorded result. */
  DONE,
  /** Cancelled by a user; queued tasks are dropped, no new ones start. */
  CANCELLED,
  /**
   * Refused by the workers: its signature does not match their cluster secret. None of its items
   * runs.
   */
  REFUSED,
  /**
   * Its coordinator gave up before queuing all of its input: input refused, an error, or Ctrl-C.
   * The tasks already queued still run; submitting again with the same {@code --job-id} and the
   * same input goes on from there.
   */
  ABANDONED;

  public boolean isFinal() {
    return this == DONE || this == CANCELLED || this == REFUSED || this == ABANDONED;
  }
}
