package dev.crew.common;

import java.util.Optional;

/**
 * A unit of work Crew knows by name: the service-provider interface for built-in and plugin tasks.
 *
 * <p>Implementations are found with {@link java.util.ServiceLoader}; a jar that lists its classes
 * in {@code META-INF/services/dev.crew.common.Task} and sits on a worker's classpath (its {@code
 * plugins/} folder) adds tasks. Implementations must be stateless or thread-safe: one instance
 * serves every item on every lane thread.
 */
public interface Task {

  /** The name users submit, e.g. {@code fib}; lower case, no spaces. */
  String name();

  /**
   * The lane this task runs on unless the job says otherwise. A task that declares none ({@link
   * #declaredLane()} empty) need not implement it: its jobs measure their first items on the CPU
   * lane and choose ({@code --lane auto}).
   */
  default Lane lane() {
    return Lane.CPU;
  }

  /**
   * The lane this task declares, or empty to have each job choose from its first items' CPU time
   * against their wall time ({@code --lane auto}).
   */
  default Optional<Lane> declaredLane() {
    return Optional.of(lane());
  }

  /** One line for {@code coordinator tasks}. */
  String description();

  /**
   * Whether this task runs commands on the worker's host. Such tasks run only on workers started
   * with {@code --allow-exec}.
   */
  default boolean runsCommands() {
    return false;
  }

  /**
   * Checks the job's parameters once and returns the function applied to each item.
   *
   * @throws IllegalArgumentException naming the bad parameter, so the coordinator refuses the job
   *     before queuing
   */
  ItemFunction bind(Params params);
}
