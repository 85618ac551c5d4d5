package dev.crew.client;

import dev.crew.common.Lane;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A stage of a pipeline after its first ({@link JobSpec.Builder#then(StageSpec)}): the task each
 * item's result is handed to, in the cluster, as soon as the stage before has recorded it.
 *
 * <pre>{@code
 * JobSpec.task("fib").range(1, 1000)
 *     .then(StageSpec.task("sum-squares"))
 *     .then(StageSpec.task("exec").param("cmd", "wc -c").lane(Lane.IO))
 *     .build()
 * }</pre>
 *
 * @param task the task's name, as the workers offer it
 * @param params the task's parameters
 * @param lane the lane the stage runs on; empty for the task's own
 */
public record StageSpec(String task, Map<String, String> params, Optional<Lane> lane) {

  /** Checks the task name. */
  public StageSpec {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(lane, "lane");
    if (task.isBlank()) {
      throw new IllegalArgumentException("a stage's task name is blank");
    }
    params = Map.copyOf(params);
  }

  /**
   * A stage running {@code task} with no parameters, on its own lane.
   *
   * @param task the task's name
   * @return the stage
   */
  public static StageSpec task(String task) {
    return new StageSpec(task, Map.of(), Optional.empty());
  }

  /**
   * This stage with one more parameter.
   *
   * @param key the parameter's name
   * @param value its value
   * @return the stage
   */
  public StageSpec param(String key, String value) {
    Map<String, String> more = new LinkedHashMap<>(params);
    more.put(key, value);
    return new StageSpec(task, more, lane);
  }

  /**
   * This stage on {@code onLane} instead of its task's own.
   *
   * @param onLane CPU or IO
   * @return the stage
   */
  public StageSpec lane(Lane onLane) {
    return new StageSpec(task, params, Optional.of(onLane));
  }
}
