package dev.crew.common;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * One task: a chunk of a job's items, the unit that is queued, taken by a worker and (after a
 * failure) queued again.
 *
 * @param attempt 0 for the first run; a task queued again after its worker was lost carries a
 *     higher attempt
 * @param signature HMAC of the task under the cluster secret ({@link JobSigner}); empty when
 *     unsigned
 * @param target for a task of a broadcast job, the member (its UUID) that alone may claim it; empty
 *     for a task any worker may run
 * @param targetWorker the name ({@code host:port}) of the target's worker, which labels the task's
 *     failure if the target leaves before it ran; empty when there is no target
 * @param stage which stage of its job's pipeline the task runs (0, the first, for a job of one
 *     stage); a later stage's items are the results of the stage before
 * @param carried for a later stage, per item, the error that item failed with in a stage before
 *     ({@code null} where it succeeded): such an item is not run again, its error is its result;
 *     {@code null} when no item failed before
 * @param earlier for a later stage, each item's value (JSON text, {@code null} where it failed) at
 *     every stage before this one, stage by stage: {@code earlier[s * count + i]} is item {@code
 *     i}'s at stage {@code s}; what a pipeline's output shows of every stage. {@code null} for a
 *     first stage
 */
public record TaskChunk(
    String jobId,
    long seq,
    long firstIndex,
    int count,
    long rangeStart,
    String @Nullable [] items,
    int attempt,
    String signature,
    String target,
    String targetWorker,
    int stage,
    @Nullable String @Nullable [] carried,
    @Nullable String @Nullable [] earlier)
    implements ItemSpan {

  /** A task without the values of earlier stages. */
  public TaskChunk(
      String jobId,
      long seq,
      long firstIndex,
      int count,
      long rangeStart,
      String @Nullable [] items,
      int attempt,
      String signature,
      String target,
      String targetWorker,
      int stage,
      @Nullable String @Nullable [] carried) {
    this(
        jobId,
        seq,
        firstIndex,
        count,
        rangeStart,
        items,
        attempt,
        signature,
        target,
        targetWorker,
        stage,
        carried,
        null);
  }

  /** A task of a job's first stage. */
  public TaskChunk(
      String jobId,
      long seq,
      long firstIndex,
      int count,
      long rangeStart,
      String @Nullable [] items,
      int attempt,
      String signature,
      String target,
      String targetWorker) {
    this(
        jobId,
        seq,
        firstIndex,
        count,
        rangeStart,
        items,
        attempt,
        signature,
        target,
        targetWorker,
        0,
        null);
  }

  /** A task any worker may run. */
  public TaskChunk(
      String jobId,
      long seq,
      long firstIndex,
      int count,
      long rangeStart,
      String @Nullable [] items,
      int attempt,
      String signature) {
    this(jobId, seq, firstIndex, count, rangeStart, items, attempt, signature, "", "");
  }

  /** An unsigned task. */
  public TaskChunk(
      String jobId,
      long seq,
      long firstIndex,
      int count,
      long rangeStart,
      String @Nullable [] items,
      int attempt) {
    this(jobId, seq, firstIndex, count, rangeStart, items, attempt, "");
  }

  public TaskChunk {
    requireNonNull(jobId, "jobId");
    requireNonNull(signature, "signature");
    requireNonNull(target, "target");
    requireNonNull(targetWorker, "targetWorker");
    ItemSpan.check(firstIndex, count, items);
    if (seq < 0 || attempt < 0 || stage < 0) {
      throw new IllegalArgumentException("seq, attempt and stage must not be negative");
    }
    if (carried != null && carried.length != count) {
      throw new IllegalArgumentException("count " + count + " but " + carried.length + " carried");
    }
    if (earlier != null && earlier.length != (long) count * stage) {
      throw new IllegalArgumentException(
          "stage " + stage + " of " + count + " items but " + earlier.length + " earlier values");
    }
  }

  public static TaskChunk ofRange(
      String jobId, long seq, long firstIndex, long rangeStart, int count) {
    return new TaskChunk(jobId, seq, firstIndex, count, rangeStart, null, 0);
  }

  public static TaskChunk ofItems(String jobId, long seq, long firstIndex, String[] items) {
    return new TaskChunk(jobId, seq, firstIndex, items.length, 0, items, 0);
  }

  public String taskId() {
    return Names.taskId(jobId, seq);
  }

  /** The same task, to be run again after its worker was lost. */
  public TaskChunk nextAttempt() {
    return new TaskChunk(
        jobId,
        seq,
        firstIndex,
        count,
        rangeStart,
        items,
        attempt + 1,
        signature,
        target,
        targetWorker,
        stage,
        carried,
        earlier);
  }

  /** The same task carrying {@code newSignature}. */
  public TaskChunk withSignature(String newSignature) {
    return new TaskChunk(
        jobId,
        seq,
        firstIndex,
        count,
        rangeStart,
        items,
        attempt,
        newSignature,
        target,
        targetWorker,
        stage,
        carried,
        earlier);
  }

  /** The same task over {@code newItems}, one per item of its span. */
  public TaskChunk withItems(String @Nullable [] newItems) {
    return new TaskChunk(
        jobId,
        seq,
        firstIndex,
        count,
        rangeStart,
        newItems,
        attempt,
        signature,
        target,
        targetWorker,
        stage,
        carried,
        earlier);
  }

  /**
   * This task's items as task {@code newSeq} of a broadcast job, for member {@code member} (its
   * UUID) alone, whose worker is named {@code worker}; unsigned, as its sequence changed.
   */
  public TaskChunk forTarget(long newSeq, String member, String worker) {
    if (member.isEmpty() || worker.isEmpty()) {
      throw new IllegalArgumentException("a broadcast task needs its member and worker");
    }
    return new TaskChunk(
        jobId, newSeq, firstIndex, count, rangeStart, items, attempt, "", member, worker);
  }

  /**
   * The task of stage {@code nextStage} over the same items' span: {@code newItems} (the results of
   * the stage before), with the errors of the items that failed before; a first attempt, unsigned.
   */
  public TaskChunk forStage(
      int nextStage,
      String[] newItems,
      @Nullable String @Nullable [] newCarried,
      @Nullable String @Nullable [] newEarlier) {
    return new TaskChunk(
        jobId,
        seq,
        firstIndex,
        count,
        0,
        newItems,
        0,
        "",
        target,
        targetWorker,
        nextStage,
        newCarried,
        newEarlier);
  }

  /** As above, without the values of earlier stages. */
  public TaskChunk forStage(
      int nextStage, String[] newItems, @Nullable String @Nullable [] newCarried) {
    return forStage(nextStage, newItems, newCarried, null);
  }

  /** Whether item {@code i} failed in a stage before this one (its error is its result). */
  public boolean carriedFailure(int i) {
    return carried != null && carried[i] != null;
  }

  /** Whether only one member may claim this task (it is part of a broadcast job). */
  public boolean targeted() {
    return !target.isEmpty();
  }
}
