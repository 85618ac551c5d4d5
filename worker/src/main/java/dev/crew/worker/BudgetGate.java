package dev.crew.worker;

import dev.crew.common.Admission;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the lanes whether a job's tasks may run now, or wait because the job's unread results have
 * reached their budget. Asks the cluster at most once per refresh interval per job, and while a job
 * is far from its budget (this worker has used less than a sixteenth of the headroom it was last
 * given, room for several workers) only once per {@link #STALE_REFRESHES} intervals: an answer
 * costs a pass over the ledger. In between, the results this worker records count against the
 * answer at once, so that a fast job does not run far past its budget on a stale figure.
 */
final class BudgetGate {
  private static final Logger log = LoggerFactory.getLogger(BudgetGate.class);
  private static final int MAX_CACHED = 512;

  /** Refresh intervals an answer with plenty of headroom left is used for. */
  static final int STALE_REFRESHES = 8;

  /** The share of its headroom a worker may use before the answer is asked again. */
  private static final int HEADROOM_SHARE = 16;

  private final Function<String, Admission> lookup;
  private final LongSupplier nanoClock;
  private final long refreshNanos;
  private final Map<String, Checked> checked = new ConcurrentHashMap<>();

  /** The cluster's answer for a job, when it was asked, and what this worker recorded since. */
  private record Checked(Admission admission, long atNanos, long recordedSince) {
    Checked plus(long bytes) {
      return new Checked(admission, atNanos, recordedSince + bytes);
    }
  }

  /**
   * @param lookup asks the cluster whether a job may run
   * @param refresh how long an answer is used before the cluster is asked again
   */
  BudgetGate(Function<String, Admission> lookup, LongSupplier nanoClock, Duration refresh) {
    this.lookup = lookup;
    this.nanoClock = nanoClock;
    this.refreshNanos = refresh.toNanos();
  }

  /** Whether {@code jobId}'s tasks must wait. */
  boolean paused(String jobId) {
    long now = nanoClock.getAsLong();
    Checked last = checked.get(jobId);
    if (last == null || due(last, now)) {
      Admission admission = lookup.apply(jobId);
      report(jobId, last == null ? Admission.OPEN : last.admission(), admission);
      if (checked.size() > MAX_CACHED) {
        checked.clear();
      }
      last = new Checked(admission, now, 0);
      checked.put(jobId, last);
    }
    return switch (last.admission()) {
      case Admission.Paused paused -> true;
      // What this worker recorded since the answer alone used the headroom it left.
      case Admission.Open open -> last.recordedSince() >= open.headroomBytes();
    };
  }

  private boolean due(Checked last, long now) {
    long age = now - last.atNanos();
    if (age < refreshNanos) {
      return false;
    }
    return switch (last.admission()) {
      case Admission.Paused paused -> true;
      case Admission.Open open ->
          age >= STALE_REFRESHES * refreshNanos
              || last.recordedSince() >= open.headroomBytes() / HEADROOM_SHARE;
    };
  }

  /** Counts a result this worker just stored against its job until the next refresh. */
  void recorded(String jobId, long bytes) {
    checked.computeIfPresent(jobId, (id, last) -> last.plus(bytes));
  }

  /** Forgets a job (finished or cancelled). */
  void forget(String jobId) {
    checked.remove(jobId);
  }

  private static void report(String jobId, Admission before, Admission now) {
    if (now instanceof Admission.Paused paused && !(before instanceof Admission.Paused)) {
      log.info("job {} {}", jobId, paused.describe(jobId));
    } else if (before instanceof Admission.Paused && now instanceof Admission.Open) {
      log.info("job {} resumes: enough of its results were read", jobId);
    }
  }
}
