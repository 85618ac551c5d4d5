package dev.crew.common;

import java.util.Locale;

/** Whether workers take a job's tasks now: open, or paused until enough of its results are read. */
public sealed interface Admission {

  /**
   * The job's tasks run.
   *
   * @param headroomBytes what the job may still add before it pauses
   */
  record Open(long headroomBytes) implements Admission {
    public Open {
      if (headroomBytes < 0) {
        throw new IllegalArgumentException("headroom must not be negative: " + headroomBytes);
      }
    }
  }

  /**
   * The job's tasks wait in their queue.
   *
   * @param heldBytes bytes of the job's results stored unread
   * @param limitBytes the limit that was reached: the job's budget, or the cluster's when {@code
   *     clusterFull}
   * @param clusterFull whether the workers' limit for all jobs was reached, not the job's own
   */
  record Paused(long heldBytes, long limitBytes, boolean clusterFull) implements Admission {

    /** One line for {@code status} and the worker log. */
    public String describe(String jobId) {
      String read = "; read them with: coordinator results " + jobId;
      if (clusterFull) {
        return "paused: the workers hold their limit of "
            + mib(limitBytes)
            + " of unread results, "
            + mib(heldBytes)
            + " of them this job's"
            + read;
      }
      return "paused: "
          + mib(heldBytes)
          + " of unread results (its budget is "
          + mib(limitBytes)
          + ")"
          + read;
    }
  }

  /** Open without a limit. */
  Admission OPEN = new Open(Long.MAX_VALUE);

  /**
   * The rule: a job pauses when its unread results reach its limit; and when all jobs' unread
   * results together reach the cluster's limit, every job holding at least its fair share of them
   * pauses, so that a job that is read as it runs is not stopped by one that is not.
   *
   * @param jobHeld bytes of this job's results stored unread
   * @param jobLimit this job's limit, 0 for none
   * @param totalHeld bytes of every job's results stored unread
   * @param clusterLimit what the workers hold for all jobs, 0 for no limit
   * @param jobsHolding jobs with results stored unread
   */
  static Admission of(
      long jobHeld, long jobLimit, long totalHeld, long clusterLimit, int jobsHolding) {
    if (jobLimit > 0 && jobHeld >= jobLimit) {
      return new Paused(jobHeld, jobLimit, /* clusterFull= */ false);
    }
    if (clusterLimit > 0
        && totalHeld >= clusterLimit
        && jobHeld > 0
        && jobHeld * Math.max(1, jobsHolding) >= totalHeld) {
      return new Paused(jobHeld, clusterLimit, /* clusterFull= */ true);
    }
    long headroom = jobLimit > 0 ? jobLimit - jobHeld : Long.MAX_VALUE;
    if (clusterLimit > 0) {
      headroom = Math.min(headroom, Math.max(0, clusterLimit - totalHeld));
    }
    return new Open(headroom);
  }

  /** Bytes in MiB with one decimal, as status and the logs print them. */
  static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }
}
