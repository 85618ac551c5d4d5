package dev.crew.worker;

import dev.crew.common.ItemFunction;

/** What a worker does with the tasks of one job. */
sealed interface Binding {

  /**
   * Run each item with this function, retrying and timing out as the policy says; {@code task}
   * names the limit its items share on an adaptive I/O lane ({@link KeyLimits}).
   */
  record Run(ItemFunction function, ItemPolicy policy, String task) implements Binding {
    Run(ItemFunction function) {
      this(function, ItemPolicy.ONCE, "task");
    }

    Run(ItemFunction function, ItemPolicy policy) {
      this(function, policy, "task");
    }

    /**
     * The key item {@code item} is limited under: its task, and the target it names if any. A
     * function that cannot key it (or throws trying) leaves it limited as its task; the item then
     * runs, and fails or not, as it would have.
     */
    String limitKey(String item) {
      String key;
      try {
        key = function.limitKey(item);
      } catch (RuntimeException e) {
        key = null;
      }
      return key == null ? task : task + " " + key;
    }
  }

  /** Run nothing, and record this error against every item (an unknown task, bad parameters). */
  record Refuse(String error) implements Binding {}

  /**
   * This worker cannot run the job's task (not installed here, or it runs commands and this worker
   * does not allow them); a worker that offers it may. Recorded as {@code error} against every item
   * when none does.
   */
  record Elsewhere(String task, String error) implements Binding {}

  /** Run nothing and record nothing (the job was cancelled or is gone). */
  record Drop(String reason) implements Binding {}

  /**
   * Run nothing, record nothing, and forget the job's blocks: the job ended before, and its record
   * and tasks were put back by someone replaying them.
   */
  record Replay(String reason) implements Binding {}
}
