package dev.crew.client.job;

import java.time.Duration;

/**
 * How soon a reader that found results reads again. A read costs the cluster an operation on every
 * partition whose blocks it asks, whatever it finds, so reading again as soon as anything came
 * turned a trickle of results into a stream of near-empty reads: a job of 20,000 GETs (50 ms each,
 * 1,667 tasks of 12, one worker with 100 in flight) read 3,275 times for its 1,667 results, and
 * those reads were the largest part of the worker's partition threads' CPU.
 *
 * <p>Instead, the next read starts once about {@code batch} results are expected, at the rate they
 * came lately, counted from the start of the last read, and never later than {@code cap} after it
 * nor later than a quarter of a task's own time (its items' time on their worker): a result waits
 * for its read a small part of what it took to make. That job then read 1,321-1,355 times; in runs
 * alternating the two, at the same 1,900 GETs/s, the coordinator's CPU per GET fell from 344-382 to
 * 258-284 µs and the worker's from 210-268 to 163-217 µs. Results that come faster than a read
 * takes, and those of short tasks, are still read back to back: no read of a job of 20,000 one-item
 * no-op tasks waited, once its tasks were measured.
 */
final class ReadPace {
  /** Part of a task's own time its result may wait for a read. */
  static final double TASK_SHARE = 0.25;

  private final int batch;
  private final long capNanos;

  /** Results per second, a moving average over the reads that found some; 0 until measured. */
  private double perSecond;

  private long lastReadNanos;
  private boolean read;

  ReadPace(int batch, Duration cap) {
    if (batch < 1 || cap.isNegative() || cap.isZero()) {
      throw new IllegalArgumentException("need batch >= 1 and cap > 0, not " + batch + ", " + cap);
    }
    this.batch = batch;
    this.capNanos = cap.toNanos();
  }

  /**
   * Notes a read started at {@code startedNanos} that found {@code found} results (at least one),
   * and returns how long to wait, from {@code nowNanos}, before the next, for tasks that take
   * {@code taskNanos} each (0: not known, no wait).
   */
  long afterRead(int found, double taskNanos, long startedNanos, long nowNanos) {
    if (read) {
      long since = Math.max(1, startedNanos - lastReadNanos);
      double rate = found * 1e9 / since;
      perSecond = perSecond <= 0 ? rate : 0.7 * perSecond + 0.3 * rate;
    }
    read = true;
    lastReadNanos = startedNanos;
    if (found >= batch || perSecond <= 0) {
      return 0;
    }
    long longest = Math.min(capNanos, (long) (TASK_SHARE * taskNanos));
    long due = startedNanos + Math.min(longest, (long) (batch * 1e9 / perSecond));
    return Math.max(0, due - nowNanos);
  }

  /**
   * Notes a read started at {@code startedNanos} that found nothing: the next read that finds
   * something measures its rate from here, the results having come since.
   */
  void afterEmptyRead(long startedNanos) {
    if (read) {
      lastReadNanos = startedNanos;
    }
  }
}
