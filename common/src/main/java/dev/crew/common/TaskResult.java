package dev.crew.common;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * The recorded outcome of one task: for each of its items either a result (JSON text) or an error
 * message.
 *
 * <p>Stored in the results map under the task id; the first write wins, so a task that ran twice is
 * recorded once. Once a coordinator has delivered the values it replaces the entry with a
 * {@linkplain #consumed() consumed} copy that keeps only the counts, so memory stays flat however
 * long the job.
 *
 * @param values per item, the result as JSON text, or {@code null} where the item failed
 * @param errors per item, the error message, or {@code null} where the item succeeded
 * @param taskSignature the signature of the task that ran ({@link TaskChunk#signature()}), empty
 *     when unsigned: {@code retry} re-signs a failed item only when it proves the item came from a
 *     task signed under the cluster secret
 * @param forged true when the stored result did not open under the reader's cluster secret (made or
 *     changed by a party without it, or sealed for another task): it carries no items, values or
 *     errors, is never recorded over a real result, and is dropped and counted by every reader
 * @param cpuNanos time its worker's thread spent on a CPU or ready for one (in the run queue of a
 *     busy host), where the worker measured it (the CPU lane's platform threads); 0 where not
 *     measured (virtual threads have no count of their own)
 * @param stage the stage of its job's pipeline the task ran (0 for the first)
 * @param earlier for a pipeline's later stage, each item's value at every stage before, as its task
 *     carried them ({@link TaskChunk#earlier()}); {@code null} otherwise, and once consumed
 */
public record TaskResult(
    String jobId,
    long seq,
    long firstIndex,
    int count,
    long rangeStart,
    String @Nullable [] items,
    String worker,
    int attempt,
    long elapsedNanos,
    int ok,
    int failed,
    @Nullable String @Nullable [] values,
    @Nullable String @Nullable [] errors,
    boolean consumed,
    String taskSignature,
    boolean forged,
    long cpuNanos,
    int stage,
    @Nullable String @Nullable [] earlier)
    implements ItemSpan {

  /** A result without the values of earlier stages. */
  public TaskResult(
      String jobId,
      long seq,
      long firstIndex,
      int count,
      long rangeStart,
      String @Nullable [] items,
      String worker,
      int attempt,
      long elapsedNanos,
      int ok,
      int failed,
      @Nullable String @Nullable [] values,
      @Nullable String @Nullable [] errors,
      boolean consumed,
      String taskSignature,
      boolean forged,
      long cpuNanos,
      int stage) {
    this(
        jobId,
        seq,
        firstIndex,
        count,
        rangeStart,
        items,
        worker,
        attempt,
        elapsedNanos,
        ok,
        failed,
        values,
        errors,
        consumed,
        taskSignature,
        forged,
        cpuNanos,
        stage,
        null);
  }

  /** A result of a job's first stage. */
  public TaskResult(
      String jobId,
      long seq,
      long firstIndex,
      int count,
      long rangeStart,
      String @Nullable [] items,
      String worker,
      int attempt,
      long elapsedNanos,
      int ok,
      int failed,
      @Nullable String @Nullable [] values,
      @Nullable String @Nullable [] errors,
      boolean consumed,
      String taskSignature,
      boolean forged,
      long cpuNanos) {
    this(
        jobId,
        seq,
        firstIndex,
        count,
        rangeStart,
        items,
        worker,
        attempt,
        elapsedNanos,
        ok,
        failed,
        values,
        errors,
        consumed,
        taskSignature,
        forged,
        cpuNanos,
        0);
  }

  /**
   * The first tasks of a job, by sequence number, whose CPU time workers measure: the probes of
   * {@code --lane auto}. Later tasks are not measured, as reading the count costs more than a tiny
   * task.
   */
  public static final int MEASURED_TASKS = 2;

  /** A result without a CPU time. */
  public TaskResult(
      String jobId,
      long seq,
      long firstIndex,
      int count,
      long rangeStart,
      String @Nullable [] items,
      String worker,
      int attempt,
      long elapsedNanos,
      int ok,
      int failed,
      @Nullable String @Nullable [] values,
      @Nullable String @Nullable [] errors,
      boolean consumed,
      String taskSignature,
      boolean forged) {
    this(
        jobId,
        seq,
        firstIndex,
        count,
        rangeStart,
        items,
        worker,
        attempt,
        elapsedNanos,
        ok,
        failed,
        values,
        errors,
        consumed,
        taskSignature,
        forged,
        0);
  }

  /** A result as its worker made it, not yet checked against the cluster secret. */
  public TaskResult(
      String jobId,
      long seq,
      long firstIndex,
      int count,
      long rangeStart,
      String @Nullable [] items,
      String worker,
      int attempt,
      long elapsedNanos,
      int ok,
      int failed,
      @Nullable String @Nullable [] values,
      @Nullable String @Nullable [] errors,
      boolean consumed,
      String taskSignature) {
    this(
        jobId,
        seq,
        firstIndex,
        count,
        rangeStart,
        items,
        worker,
        attempt,
        elapsedNanos,
        ok,
        failed,
        values,
        errors,
        consumed,
        taskSignature,
        /* forged= */ false);
  }

  public TaskResult {
    requireNonNull(jobId, "jobId");
    requireNonNull(worker, "worker");
    requireNonNull(taskSignature, "taskSignature");
    ItemSpan.check(firstIndex, count, items);
    if (!consumed) {
      requireNonNull(values, "values");
      requireNonNull(errors, "errors");
      if (values.length != count || errors.length != count) {
        throw new IllegalArgumentException("a result needs one value or error per item");
      }
    }
    if (stage < 0) {
      throw new IllegalArgumentException("stage " + stage + " < 0");
    }
    if (cpuNanos < 0) {
      throw new IllegalArgumentException("cpuNanos " + cpuNanos + " < 0");
    }
    if (ok + failed != count) {
      throw new IllegalArgumentException("ok " + ok + " + failed " + failed + " != count " + count);
    }
  }

  /**
   * What a reader holding the cluster secret makes of a stored result that does not open under it:
   * its clear fields, and nothing of its items, values or errors.
   */
  public static TaskResult forged(
      String jobId,
      long seq,
      long firstIndex,
      int count,
      String worker,
      int attempt,
      int ok,
      int failed,
      boolean consumed) {
    return new TaskResult(
        jobId,
        seq,
        firstIndex,
        count,
        0,
        null,
        worker,
        attempt,
        0,
        ok,
        failed,
        new String[count],
        new String[count],
        consumed,
        "",
        /* forged= */ true);
  }

  /** Builds the result of {@code chunk} from per-item values and errors. */
  public static TaskResult of(
      TaskChunk chunk,
      String worker,
      long elapsedNanos,
      @Nullable String[] values,
      @Nullable String[] errors) {
    int failed = 0;
    for (String error : errors) {
      if (error != null) {
        failed++;
      }
    }
    return new TaskResult(
        chunk.jobId(),
        chunk.seq(),
        chunk.firstIndex(),
        chunk.count(),
        chunk.rangeStart(),
        chunk.items(),
        worker,
        chunk.attempt(),
        elapsedNanos,
        chunk.count() - failed,
        failed,
        values,
        errors,
        /* consumed= */ false,
        chunk.signature(),
        /* forged= */ false,
        0,
        chunk.stage(),
        chunk.earlier());
  }

  public String taskId() {
    return Names.taskId(jobId, seq);
  }

  public boolean failed(int i) {
    return errors != null && errors[i] != null;
  }

  /**
   * The counts of a task whose result was delivered and not kept: what the ledger still knows of it
   * (its items' span and how many succeeded), for a submitter that resumes the job.
   */
  public static TaskResult counted(String jobId, long seq, long end, int ok, int failed) {
    int count = ok + failed;
    return new TaskResult(
        jobId, seq, end - count, count, 0, null, "", 0, 0, ok, failed, null, null, true, "");
  }

  /**
   * What stays stored after the submitter has delivered the values: the counts, and the items and
   * errors of a task with failures (so that {@code results --failed} and {@code retry} still work);
   * no values.
   */
  public TaskResult asConsumed() {
    boolean keepFailures = failed > 0;
    return new TaskResult(
        jobId,
        seq,
        firstIndex,
        count,
        rangeStart,
        keepFailures ? items : null,
        worker,
        attempt,
        elapsedNanos,
        ok,
        failed,
        null,
        keepFailures ? errors : null,
        true,
        taskSignature,
        /* forged= */ false,
        cpuNanos,
        stage);
  }

  /** This result with the CPU time its worker measured. */
  public TaskResult withCpuNanos(long nanos) {
    return new TaskResult(
        jobId,
        seq,
        firstIndex,
        count,
        rangeStart,
        items,
        worker,
        attempt,
        elapsedNanos,
        ok,
        failed,
        values,
        errors,
        consumed,
        taskSignature,
        forged,
        nanos,
        stage,
        earlier);
  }

  /**
   * The task this result records, as it was signed: what {@code retry} verifies before it runs a
   * failed item again.
   */
  public TaskChunk task() {
    return new TaskChunk(jobId, seq, firstIndex, count, rangeStart, items, 0, taskSignature);
  }

  /**
   * Bytes this result takes where it is stored, estimated from its text as Compact writes it (a
   * length and an offset per string): what counts against its job's {@link ResultBudget} until it
   * is read. 0 once consumed: only its counts are left.
   */
  public long heldBytes() {
    if (consumed || forged) {
      return 0;
    }
    return RECORD_BYTES
        + textBytes(items)
        + textBytes(values)
        + textBytes(errors)
        + textBytes(earlier);
  }

  /** The key, the job id, the worker and the numbers of a stored result, and the map's entry. */
  private static final long RECORD_BYTES = 256;

  private static long textBytes(@Nullable String @Nullable [] texts) {
    if (texts == null) {
      return 0;
    }
    long bytes = 0;
    for (String text : texts) {
      bytes += 8 + (text == null ? 0 : text.length());
    }
    return bytes;
  }

  /**
   * Item {@code i}'s value (JSON text, {@code null} where it failed) at each stage of its pipeline,
   * the last included; for a job of one stage, its value alone.
   */
  public java.util.List<@Nullable String> stageValues(int i) {
    java.util.List<@Nullable String> all = new java.util.ArrayList<>(stage + 1);
    for (int s = 0; s < stage; s++) {
      all.add(earlier == null ? null : earlier[s * count + i]);
    }
    all.add(values == null ? null : values[i]);
    return all;
  }

  /** Whether this result still knows which of its items failed, and with what error. */
  public boolean hasErrors() {
    return errors != null;
  }
}
