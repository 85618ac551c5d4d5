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

  /** Run nothing and record nothing (the job was cancelled or is gone). */
  record Drop(String reason) implements Binding {}
}
