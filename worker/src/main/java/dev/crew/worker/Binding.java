package dev.crew.worker;

import dev.crew.common.ItemFunction;

/** What a worker does with the tasks of one job. */
sealed interface Binding {

  /** Run each item with this function, retrying and timing out as the policy says. */
  record Run(ItemFunction function, ItemPolicy policy) implements Binding {
    Run(ItemFunction function) {
      this(function, ItemPolicy.ONCE);
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
