package dev.crew.common;

import static java.util.Objects.requireNonNull;

/**
 * How much of one job's results the cluster may hold before they are read, stored under the job id
 * in {@link Names#BUDGETS} by the submitter.
 *
 * @param limitBytes bytes of stored results the job may hold unread; 0 for the workers' default
 * @param keepResults whether reading the results leaves them stored (up to half the limit) for a
 *     later {@code coordinator results}
 */
public record ResultBudget(String jobId, long limitBytes, boolean keepResults) {

  public ResultBudget {
    requireNonNull(jobId, "jobId");
    if (limitBytes < 0) {
      throw new IllegalArgumentException("a result budget must not be negative: " + limitBytes);
    }
  }

  /** The budget of a job whose submitter stored none: the workers' default, nothing kept. */
  public static ResultBudget byDefault(String jobId) {
    return new ResultBudget(jobId, 0, /* keepResults= */ false);
  }

  /**
   * The limit that applies: this budget's, never more than the cluster holds for all jobs; the
   * default is half of that, so that one job never fills it alone.
   *
   * @param clusterLimit bytes of results the workers hold for all jobs; 0 when unknown (no limit)
   */
  public long effectiveLimit(long clusterLimit) {
    if (clusterLimit <= 0) {
      return limitBytes;
    }
    return limitBytes == 0 ? defaultLimit(clusterLimit) : Math.min(limitBytes, clusterLimit);
  }

  /** Half of what the workers hold for all jobs. */
  public static long defaultLimit(long clusterLimit) {
    return Math.max(1, clusterLimit / 2);
  }

  /**
   * Bytes of results that reading leaves stored when the job keeps its results: half its limit, so
   * that kept results never stop the job; none when the limit is not known.
   */
  public long keepLimit(long clusterLimit) {
    return keepResults ? effectiveLimit(clusterLimit) / 2 : 0;
  }
}
