package dev.crew.common;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One submission, as stored in the cluster's job map: what to run and how far it got.
 *
 * @param totalItems items in the input, or -1 while the coordinator is still reading it
 * @param totalTasks tasks queued for it, or -1 while the coordinator is still reading input
 * @param retries how often a failing item is tried again
 * @param timeoutMillis per-item time limit, 0 for none
 * @param signature HMAC of the job's content under the cluster secret, empty when unsigned
 * @param then the further stages of a pipeline, in order: each item's result of one stage is that
 *     item of the next; empty for a job of one stage
 * @param inputDigest a digest of the whole input, empty until it is known (for standard input, once
 *     it has ended): a coordinator compares it to tell a resubmission of the same id with other
 *     input. Not signed, as it may be set after the job is signed; a forged one can only make such
 *     a resubmission be refused.
 */
public record Job(
    String id,
    String task,
    Lane lane,
    Params params,
    JobState state,
    long createdMillis,
    long totalItems,
    long totalTasks,
    int retries,
    long timeoutMillis,
    String signature,
    String inputDigest,
    long retentionMillis,
    long endedMillis,
    List<Stage> then) {

  /** A job of one stage. */
  public Job(
      String id,
      String task,
      Lane lane,
      Params params,
      JobState state,
      long createdMillis,
      long totalItems,
      long totalTasks,
      int retries,
      long timeoutMillis,
      String signature,
      String inputDigest,
      long retentionMillis,
      long endedMillis) {
    this(
        id,
        task,
        lane,
        params,
        state,
        createdMillis,
        totalItems,
        totalTasks,
        retries,
        timeoutMillis,
        signature,
        inputDigest,
        retentionMillis,
        endedMillis,
        List.of());
  }

  /** A job with no retention of its own (the default's) that has not ended. */
  public Job(
      String id,
      String task,
      Lane lane,
      Params params,
      JobState state,
      long createdMillis,
      long totalItems,
      long totalTasks,
      int retries,
      long timeoutMillis,
      String signature,
      String inputDigest) {
    this(
        id,
        task,
        lane,
        params,
        state,
        createdMillis,
        totalItems,
        totalTasks,
        retries,
        timeoutMillis,
        signature,
        inputDigest,
        0,
        0);
  }

  /** A job whose input digest is not known yet. */
  public Job(
      String id,
      String task,
      Lane lane,
      Params params,
      JobState state,
      long createdMillis,
      long totalItems,
      long totalTasks,
      int retries,
      long timeoutMillis,
      String signature) {
    this(
        id,
        task,
        lane,
        params,
        state,
        createdMillis,
        totalItems,
        totalTasks,
        retries,
        timeoutMillis,
        signature,
        "");
  }

  public Job {
    requireNonNull(id, "id");
    requireNonNull(task, "task");
    requireNonNull(lane, "lane");
    requireNonNull(params, "params");
    requireNonNull(state, "state");
    requireNonNull(signature, "signature");
    requireNonNull(inputDigest, "inputDigest");
    then = List.copyOf(then);
    if (id.isBlank() || id.contains("/")) {
      throw new IllegalArgumentException(
          "job id '" + id + "' must be non-blank and contain no '/'");
    }
    if (retries < 0 || timeoutMillis < 0) {
      throw new IllegalArgumentException("retries and timeout must not be negative");
    }
    if (retentionMillis < 0 || endedMillis < 0) {
      throw new IllegalArgumentException("retention and end time must not be negative");
    }
  }

  /**
   * The signature a job record reads with when it does not open under the reader's cluster secret:
   * made, or changed in any field, by a party without it. Never a valid signature.
   */
  public static final String FORGED = "!forged";

  /**
   * Whether this record did not open under the reader's cluster secret: nothing in it is to be
   * acted on (its state, its totals), and it carries no parameters.
   */
  public boolean forged() {
    return FORGED.equals(signature);
  }

  /** A new job, still being submitted. */
  public static Job submitting(String id, String task, Lane lane, Params params, long nowMillis) {
    return new Job(id, task, lane, params, JobState.SUBMITTING, nowMillis, -1, -1, 0, 0, "");
  }

  /**
   * The same job with this per-item policy: tries after the first, and the time limit of one try
   * (0: none).
   */
  public Job withPolicy(int newRetries, long newTimeoutMillis) {
    return new Job(
        id,
        task,
        lane,
        params,
        state,
        createdMillis,
        totalItems,
        totalTasks,
        newRetries,
        newTimeoutMillis,
        signature,
        inputDigest,
        retentionMillis,
        endedMillis,
        then);
  }

  /**
   * The same job on {@code newLane}, as a job of a task that declares no lane moves once its first
   * items are measured; its signature covers the lane, so its submitter signs it again.
   */
  public Job withLane(Lane newLane) {
    return new Job(
        id,
        task,
        newLane,
        params,
        state,
        createdMillis,
        totalItems,
        totalTasks,
        retries,
        timeoutMillis,
        signature,
        inputDigest,
        retentionMillis,
        endedMillis,
        then);
  }

  /** The same job with {@code newParams}. */
  public Job withParams(Params newParams) {
    return new Job(
        id,
        task,
        lane,
        newParams,
        state,
        createdMillis,
        totalItems,
        totalTasks,
        retries,
        timeoutMillis,
        signature,
        inputDigest,
        retentionMillis,
        endedMillis,
        then);
  }

  public Job withSignature(String newSignature) {
    return new Job(
        id,
        task,
        lane,
        params,
        state,
        createdMillis,
        totalItems,
        totalTasks,
        retries,
        timeoutMillis,
        newSignature,
        inputDigest,
        retentionMillis,
        endedMillis,
        then);
  }

  public Job withState(JobState newState) {
    return new Job(
        id,
        task,
        lane,
        params,
        newState,
        createdMillis,
        totalItems,
        totalTasks,
        retries,
        timeoutMillis,
        signature,
        inputDigest,
        retentionMillis,
        endedMillis,
        then);
  }

  public Job withInputDigest(String newInputDigest) {
    return new Job(
        id,
        task,
        lane,
        params,
        state,
        createdMillis,
        totalItems,
        totalTasks,
        retries,
        timeoutMillis,
        signature,
        newInputDigest,
        retentionMillis,
        endedMillis,
        then);
  }

  /** Every task is queued: the totals are now known. */
  public Job queued(long items, long tasks) {
    JobState next = state == JobState.SUBMITTING ? JobState.RUNNING : state;
    return new Job(
        id,
        task,
        lane,
        params,
        next,
        createdMillis,
        items,
        tasks,
        retries,
        timeoutMillis,
        signature,
        inputDigest,
        retentionMillis,
        endedMillis,
        then);
  }

  /**
   * The same job, kept for {@code newRetentionMillis} after it ends (0: {@code JobRetention}'s
   * default).
   */
  public Job withRetention(long newRetentionMillis) {
    return new Job(
        id,
        task,
        lane,
        params,
        state,
        createdMillis,
        totalItems,
        totalTasks,
        retries,
        timeoutMillis,
        signature,
        inputDigest,
        newRetentionMillis,
        endedMillis,
        then);
  }

  /** The same job, seen ended at {@code newEndedMillis} (0: not ended). */
  public Job withEnded(long newEndedMillis) {
    return new Job(
        id,
        task,
        lane,
        params,
        state,
        createdMillis,
        totalItems,
        totalTasks,
        retries,
        timeoutMillis,
        signature,
        inputDigest,
        retentionMillis,
        newEndedMillis,
        then);
  }

  /** The same job, a pipeline with these further stages. */
  public Job withThen(List<Stage> newThen) {
    return new Job(
        id,
        task,
        lane,
        params,
        state,
        createdMillis,
        totalItems,
        totalTasks,
        retries,
        timeoutMillis,
        signature,
        inputDigest,
        retentionMillis,
        endedMillis,
        newThen);
  }

  /** How many stages the job has: 1, or more for a pipeline. */
  public int stages() {
    return 1 + then.size();
  }

  /** The task of stage {@code stage} (0 is the first). */
  public String taskOf(int stage) {
    return stage == 0 ? task : stageAt(stage).task();
  }

  /** The lane of stage {@code stage}. */
  public Lane laneOf(int stage) {
    return stage == 0 ? lane : stageAt(stage).lane();
  }

  /** The parameters of stage {@code stage}. */
  public Params paramsOf(int stage) {
    return stage == 0 ? params : stageAt(stage).params();
  }

  /** Whether {@code stage} is the job's last, whose results are the job's. */
  public boolean lastStage(int stage) {
    return stage >= then.size();
  }

  private Stage stageAt(int stage) {
    if (stage < 0 || stage > then.size()) {
      throw new IllegalArgumentException("job " + id + " has no stage " + (stage + 1));
    }
    return then.get(stage - 1);
  }

  public boolean totalsKnown() {
    return totalTasks >= 0;
  }
}
