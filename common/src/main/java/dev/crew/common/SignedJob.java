package dev.crew.common;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * The part of a job that its signature covers, with the signature: what {@link JobSigner} MACs. Two
 * jobs with equal {@code SignedJob}s verify alike, so a worker may remember one that verified and
 * skip the MAC for the job's next tasks; a job changed in any signed field, or given another
 * signature, is a different key and is checked again.
 *
 * @param params the job's parameters (any order; they are signed sorted by key)
 */
public record SignedJob(
    String id,
    String task,
    Lane lane,
    Map<String, String> params,
    long createdMillis,
    int retries,
    long timeoutMillis,
    String signature,
    java.util.List<Stage> then) {

  /** A job of one stage. */
  public SignedJob(
      String id,
      String task,
      Lane lane,
      Map<String, String> params,
      long createdMillis,
      int retries,
      long timeoutMillis,
      String signature) {
    this(
        id,
        task,
        lane,
        params,
        createdMillis,
        retries,
        timeoutMillis,
        signature,
        java.util.List.of());
  }

  public SignedJob {
    requireNonNull(id, "id");
    requireNonNull(task, "task");
    requireNonNull(lane, "lane");
    params = Map.copyOf(params);
    requireNonNull(signature, "signature");
    then = java.util.List.copyOf(then);
  }

  public static SignedJob of(Job job) {
    return new SignedJob(
        job.id(),
        job.task(),
        job.lane(),
        job.params().values(),
        job.createdMillis(),
        job.retries(),
        job.timeoutMillis(),
        job.signature(),
        job.then());
  }
}
