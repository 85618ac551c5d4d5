package dev.crew.common;

import static java.util.Objects.requireNonNull;

/**
 * A stage of a pipeline after its first: the task each item's result is handed to, as that item of
 * this stage, once the stage before has recorded it.
 *
 * @param lane the lane this stage's tasks run on
 */
public record Stage(String task, Lane lane, Params params) {

  public Stage {
    requireNonNull(task, "task");
    requireNonNull(lane, "lane");
    requireNonNull(params, "params");
    if (task.isBlank()) {
      throw new IllegalArgumentException("a stage needs a task");
    }
  }
}
