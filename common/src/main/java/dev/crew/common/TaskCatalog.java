package dev.crew.common;

import java.util.Collection;
import java.util.Optional;
import java.util.SortedMap;

/**
 * The tasks visible to one class loader, by name: the built-ins plus any plugin jars on the
 * classpath.
 */
public final class TaskCatalog {
  private final SortedMap<String, Task> byName;

  private TaskCatalog(SortedMap<String, Task> byName) {
    this.byName = byName;
  }

  /**
   * Loads every {@link Task} that {@code loader} can see; a later duplicate name is refused loudly.
   */
  public static TaskCatalog load(ClassLoader loader) {
    return new TaskCatalog(ProvidersByName.load(Task.class, loader, Task::name, "tasks"));
  }

  /** The tasks on this program's own classpath. */
  public static TaskCatalog builtIn() {
    return load(TaskCatalog.class.getClassLoader());
  }

  public Optional<Task> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  public Collection<Task> all() {
    return byName.values();
  }

  /**
   * {@code name:lane} pairs ({@code auto} for a task that declares no lane), comma-separated: how a
   * worker advertises its tasks in a member attribute.
   */
  public String advertised() {
    return advertised(task -> true);
  }

  /** Like {@link #advertised()}, for the tasks that {@code offered} accepts. */
  public String advertised(java.util.function.Predicate<Task> offered) {
    StringBuilder out = new StringBuilder();
    for (Task task : byName.values()) {
      if (!offered.test(task)) {
        continue;
      }
      if (!out.isEmpty()) {
        out.append(',');
      }
      out.append(task.name()).append(':').append(task.declaredLane().map(Lane::id).orElse("auto"));
    }
    return out.toString();
  }
}
