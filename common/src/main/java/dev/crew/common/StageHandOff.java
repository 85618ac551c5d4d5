package dev.crew.common;

/**
 * How a pipeline hands an item on: the result of a stage becomes that item of the next stage, and
 * an item that failed carries its error on, naming the stage it failed at, without running again.
 */
public final class StageHandOff {
  private StageHandOff() {}

  /**
   * The task of the stage after {@code result}'s, over the same items' span: made by the worker
   * that ran {@code ran} (whose result is {@code result}) and recorded with it, unsigned.
   */
  public static TaskChunk next(Job job, TaskChunk ran, TaskResult result) {
    if (result.stage() != ran.stage() || job.lastStage(ran.stage())) {
      throw new IllegalArgumentException(
          "task " + ran.taskId() + " at stage " + (ran.stage() + 1) + " has no next stage");
    }
    int count = result.count();
    String[] items = new String[count];
    String[] carried = null;
    String[] values = result.values();
    String[] errors = result.errors();
    for (int i = 0; i < count; i++) {
      String error = errors == null ? null : errors[i];
      if (error == null) {
        String value = values == null ? null : values[i];
        items[i] = value == null ? "null" : ResultJson.asItem(value);
        continue;
      }
      if (carried == null) {
        carried = new String[count];
      }
      items[i] = "";
      carried[i] =
          ran.carriedFailure(i)
              ? error
              : "stage " + (ran.stage() + 1) + " (" + job.taskOf(ran.stage()) + "): " + error;
    }
    // Every stage's values so far, this one's last, for an output that shows them all.
    String[] earlier = new String[count * (ran.stage() + 1)];
    if (ran.earlier() != null) {
      System.arraycopy(ran.earlier(), 0, earlier, 0, ran.earlier().length);
    }
    for (int i = 0; i < count; i++) {
      earlier[ran.stage() * count + i] = values == null ? null : values[i];
    }
    return ran.forStage(ran.stage() + 1, items, carried, earlier);
  }

  /**
   * {@code result} of a pipeline's last stage with the errors of its items that failed there named
   * by the stage, as those of earlier stages are; items that failed before keep their errors.
   */
  public static TaskResult labelled(Job job, TaskChunk ran, TaskResult result) {
    String[] errors = result.errors();
    if (job.stages() < 2 || result.failed() == 0 || errors == null) {
      return result;
    }
    String[] named = errors.clone();
    for (int i = 0; i < named.length; i++) {
      if (named[i] != null && !ran.carriedFailure(i)) {
        named[i] = "stage " + (ran.stage() + 1) + " (" + job.taskOf(ran.stage()) + "): " + named[i];
      }
    }
    return new TaskResult(
        result.jobId(),
        result.seq(),
        result.firstIndex(),
        result.count(),
        result.rangeStart(),
        result.items(),
        result.worker(),
        result.attempt(),
        result.elapsedNanos(),
        result.ok(),
        result.failed(),
        result.values(),
        named,
        result.consumed(),
        result.taskSignature(),
        result.forged(),
        result.cpuNanos(),
        result.stage(),
        result.earlier());
  }
}
