package dev.crew.common;

import dev.crew.common.ledger.JobTally;
import java.time.Duration;
import java.util.function.Function;

/**
 * How long a job stays in the cluster once it has ended, and when it has: the rules the workers'
 * sweep and {@code coordinator purge} apply. Time is passed in.
 */
public final class JobRetention {

  /**
   * A finished job, its results and its ledger blocks are kept this long unless its submitter chose
   * otherwise: like Celery's {@code result_expires}, long enough to read results and look at
   * failures the next morning, short enough that a busy cluster does not keep weeks of jobs.
   */
  public static final Duration DEFAULT = Duration.ofDays(1);

  /** The longest retention a job can ask for; the archive's entries expire after it regardless. */
  public static final Duration MAX = Duration.ofDays(30);

  /** What the sweep does to one stored job. */
  public enum Step {
    /** Nothing yet. */
    KEEP,
    /** It has ended and says not since when: note now as its end. */
    STAMP,
    /** It was seen ended and runs again (its tasks were put back): its end is not known. */
    UNSTAMP,
    /** Its retention has passed: remove it and everything it keeps. */
    REMOVE
  }

  private JobRetention() {}

  /** {@code job}'s retention: its own, or the default. */
  public static long retentionMillis(Job job) {
    return job.retentionMillis() > 0 ? job.retentionMillis() : DEFAULT.toMillis();
  }

  /**
   * Whether nothing of {@code job} can run or be delivered any more. Done, cancelled and refused
   * jobs have; an abandoned one once no task of it is queued or claimed; a running one (whose
   * submitter may be gone) once every task's result is consumed, or the ledger holds none of its
   * tasks (they expired). A job still being submitted has not. {@code tally} is asked only when the
   * state alone does not tell.
   */
  public static boolean ended(Job job, Function<String, JobTally> tally) {
    return switch (job.state()) {
      case DONE, CANCELLED, REFUSED -> true;
      case ABANDONED -> tally.apply(job.id()).open() == 0;
      case RUNNING -> {
        if (!job.totalsKnown()) {
          yield false;
        }
        JobTally t = tally.apply(job.id());
        yield t.stored() == 0 || t.consumed() >= job.totalTasks();
      }
      case SUBMITTING -> false;
    };
  }

  /** What the sweep does to {@code job}, which has {@code ended} or not, at {@code nowMillis}. */
  public static Step step(Job job, boolean ended, long nowMillis) {
    if (!ended) {
      return job.endedMillis() == 0 ? Step.KEEP : Step.UNSTAMP;
    }
    if (job.endedMillis() == 0) {
      return Step.STAMP;
    }
    return nowMillis - job.endedMillis() >= retentionMillis(job) ? Step.REMOVE : Step.KEEP;
  }

  /**
   * How long ago {@code job} ended, as far as the cluster knows: since the sweep saw it end, or
   * (not seen yet) since it was submitted, which is longer.
   */
  public static Duration endedAgo(Job job, long nowMillis) {
    long since = job.endedMillis() > 0 ? job.endedMillis() : job.createdMillis();
    return Duration.ofMillis(Math.max(0, nowMillis - since));
  }

  /** Parses a retention a user asked for: at least a second, at most {@link #MAX}. */
  public static Duration parse(String text, String option) {
    Duration retention = Durations.parse(text, option);
    if (retention.compareTo(Duration.ofSeconds(1)) < 0 || retention.compareTo(MAX) > 0) {
      throw new IllegalArgumentException(
          option + " must be between 1s and " + MAX.toDays() + "d, not '" + text + "'");
    }
    return retention;
  }
}
