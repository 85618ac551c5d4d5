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
 */
public record TaskChunk(
    String jobId,
    long seq,
    long firstIndex,
    int count,
    long rangeStart,
    String @Nullable [] items,
    int attempt,
    String signature)
    implements ItemSpan {

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
    ItemSpan.check(firstIndex, count, items);
    if (seq < 0 || attempt < 0) {
      throw new IllegalArgumentException("seq and attempt must not be negative");
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
    return new TaskChunk(jobId, seq, firstIndex, count, rangeStart, items, attempt + 1, signature);
  }

  /** The same task carrying {@code newSignature}. */
  public TaskChunk withSignature(String newSignature) {
    return new TaskChunk(jobId, seq, firstIndex, count, rangeStart, items, attempt, newSignature);
  }

  /** The same task over {@code newItems}, one per item of its span. */
  public TaskChunk withItems(String @Nullable [] newItems) {
    return new TaskChunk(jobId, seq, firstIndex, count, rangeStart, newItems, attempt, signature);
  }
}
