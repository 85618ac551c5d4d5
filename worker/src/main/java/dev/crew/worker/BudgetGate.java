package dev.crew.worker;

import dev.crew.common.Admission;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
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
 *
 * <p>The cluster is asked off the lanes' path, one question per job at a time: an answer takes
 * several scans of the cluster (23 ms of a 70 ms first result on a loaded 2-core machine, and a
 * lane that waited for it every refresh started nothing meanwhile). Until the answer comes, the
 * last one holds, with what was recorded since it was asked counted against its headroom; a job
 * seen here for the first time runs on {@link #FIRST_HEADROOM_BYTES} until its first answer, and
 * once that is used up its tasks wait for the answer (up to {@link #FIRST_ANSWER_WAIT}).
 */
final class BudgetGate {
  private static final Logger log = LoggerFactory.getLogger(BudgetGate.class);
  private static final int MAX_CACHED = 512;

  /** Refresh intervals an answer with plenty of headroom left is used for. */
  static final int STALE_REFRESHES = 8;

  /** The share of its headroom a worker may use before the answer is asked again. */
  private static final int HEADROOM_SHARE = 16;

  /**
   * What this worker may record for a job before the cluster's first answer about it: a sixteenth
   * of the smallest budget a job can be given (64 KiB), as a worker asks again once it used a
   * sixteenth of its headroom; enough for the first results of most jobs.
   */
  static final long FIRST_HEADROOM_BYTES = 4 * 1024;

  private final Function<String, Admission> lookup;
  private final Executor asker;
  private final LongSupplier nanoClock;
  private final long refreshNanos;
  private final Map<String, Checked> checked = new ConcurrentHashMap<>();

  /** Per job whose first answer has not come yet: opened when it comes (or its question fails). */
  private final Map<String, CountDownLatch> firstAnswers = new ConcurrentHashMap<>();

  /** How long a task whose job used its first headroom waits for the cluster's first answer. */
  private final Duration firstAnswerWait;

  /**
   * The longest a lane waits for a job's first answer before it hands the task back: an answer
   * takes a pass over the ledger's active blocks and two aggregations, tens of milliseconds.
   */
  static final Duration FIRST_ANSWER_WAIT = Duration.ofMillis(250);

  /**
   * The cluster's last answer for a job and when it was asked; what this worker recorded since; and
   * whether a new answer is being asked for, and what was recorded since that question.
   *
   * @param answered false for the first headroom, before any answer
   */
  private record Checked(
      Admission admission,
      long atNanos,
      long recordedSince,
      boolean answered,
      boolean asking,
      long recordedWhileAsking) {

    static Checked first(long now) {
      return new Checked(new Admission.Open(FIRST_HEADROOM_BYTES), now, 0, false, false, 0);
    }

    Checked plus(long bytes) {
      return new Checked(
          admission,
          atNanos,
          recordedSince + bytes,
          answered,
          asking,
          asking ? recordedWhileAsking + bytes : 0);
    }

    Checked nowAsking() {
      return new Checked(admission, atNanos, recordedSince, answered, true, 0);
    }

    /** The answer to the question asked at {@code askedAt}: counts from what was recorded since. */
    Checked answer(Admission answer, long askedAt) {
      return new Checked(answer, askedAt, recordedWhileAsking, true, false, 0);
    }

    Checked askFailed() {
      return new Checked(admission, atNanos, recordedSince, answered, false, 0);
    }
  }

  /**
   * Asks the cluster on the calling thread: {@link #paused} answers from the cluster's answer at
   * once (for tests).
   *
   * @param lookup asks the cluster whether a job may run
   * @param refresh how long an answer is used before the cluster is asked again
   */
  BudgetGate(Function<String, Admission> lookup, LongSupplier nanoClock, Duration refresh) {
    this(lookup, Runnable::run, nanoClock, refresh);
  }

  /**
   * @param lookup asks the cluster whether a job may run
   * @param asker runs the questions to the cluster
   * @param refresh how long an answer is used before the cluster is asked again
   */
  BudgetGate(
      Function<String, Admission> lookup,
      Executor asker,
      LongSupplier nanoClock,
      Duration refresh) {
    this(lookup, asker, nanoClock, refresh, FIRST_ANSWER_WAIT);
  }

  /**
   * As above; a task whose job used its first headroom before the cluster's first answer came waits
   * up to {@code firstAnswerWait} for it.
   */
  BudgetGate(
      Function<String, Admission> lookup,
      Executor asker,
      LongSupplier nanoClock,
      Duration refresh,
      Duration firstAnswerWait) {
    this.lookup = lookup;
    this.asker = asker;
    this.nanoClock = nanoClock;
    this.refreshNanos = refresh.toNanos();
    this.firstAnswerWait = firstAnswerWait;
  }

  /** Whether {@code jobId}'s tasks must wait. */
  boolean paused(String jobId) {
    long now = nanoClock.getAsLong();
    Checked last = checked.get(jobId);
    if (last == null) {
      if (checked.size() > MAX_CACHED) {
        checked.clear();
        firstAnswers.clear();
      }
      Checked first = Checked.first(now);
      firstAnswers.putIfAbsent(jobId, new CountDownLatch(1));
      Checked raced = checked.putIfAbsent(jobId, first);
      last = raced != null ? raced : first;
    }
    if (!last.asking() && due(last, now)) {
      Checked asking = last.nowAsking();
      if (checked.replace(jobId, last, asking)) {
        ask(jobId, now);
        Checked answered = checked.get(jobId);
        last = answered != null ? answered : asking;
      }
    }
    boolean mustWait = mustWait(last);
    if (!mustWait || last.answered()) {
      return mustWait;
    }
    // The first headroom is used up and the cluster's first answer is on its way: wait for it
    // rather than hand the task back for a second (a fast job's first 4 KiB of results are
    // recorded in a few milliseconds, and its first tasks then ran a second late, after the rest).
    CountDownLatch answer = firstAnswers.get(jobId);
    if (answer != null) {
      try {
        answer.await(firstAnswerWait.toNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return true;
      }
    }
    Checked after = checked.get(jobId);
    return mustWait(after != null ? after : last);
  }

  private static boolean mustWait(Checked last) {
    return switch (last.admission()) {
      case Admission.Paused paused -> true;
      // What this worker recorded since the answer alone used the headroom it left.
      case Admission.Open open -> last.recordedSince() >= open.headroomBytes();
    };
  }

  private void ask(String jobId, long askedAt) {
    Runnable question =
        () -> {
          Admission answer;
          try {
            answer = lookup.apply(jobId);
          } catch (RuntimeException e) {
            notAsked(jobId, e);
            answered(jobId);
            return;
          }
          Admission[] before = new Admission[1];
          checked.computeIfPresent(
              jobId,
              (id, last) -> {
                before[0] = last.answered() ? last.admission() : Admission.OPEN;
                return last.answer(answer, askedAt);
              });
          answered(jobId);
          if (before[0] != null) {
            report(jobId, before[0], answer);
          }
        };
    try {
      asker.execute(question);
    } catch (RuntimeException e) {
      notAsked(jobId, e);
      answered(jobId);
    }
  }

  /** Lets go the tasks that wait for the job's first answer (it came, or the question failed). */
  private void answered(String jobId) {
    CountDownLatch first = firstAnswers.remove(jobId);
    if (first != null) {
      first.countDown();
    }
  }

  /** A question that got no answer: the last answer holds, and the job's next task asks again. */
  private void notAsked(String jobId, RuntimeException e) {
    log.debug("could not ask the cluster about job {}'s results: {}", jobId, e.toString());
    checked.computeIfPresent(jobId, (id, last) -> last.askFailed());
  }

  private boolean due(Checked last, long now) {
    if (!last.answered()) {
      return true;
    }
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
    answered(jobId);
  }

  private static void report(String jobId, Admission before, Admission now) {
    if (now instanceof Admission.Paused paused && !(before instanceof Admission.Paused)) {
      log.info("job {} {}", jobId, paused.describe(jobId));
    } else if (before instanceof Admission.Paused && now instanceof Admission.Open) {
      log.info("job {} resumes: enough of its results were read", jobId);
    }
  }
}
