package dev.crew.client.job;

import dev.crew.client.ClusterView;
import dev.crew.common.Lane;
import dev.crew.common.Task;
import dev.crew.common.TaskCatalog;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a submitter checks of a job's task against the cluster before it stores anything: the lane
 * the task runs on, and that some worker offers it. The same for {@code coordinator submit} and the
 * library; each turns the refusals into its own kind of error.
 */
public final class TaskChoice {
  private TaskChoice() {}

  /**
   * The lane of {@code task}: its own when this process knows it ({@code localTask}), else the one
   * the workers advertise.
   *
   * @throws IllegalArgumentException naming the known tasks, if neither knows it
   */
  public static Lane laneOf(
      String task, Optional<Task> localTask, ClusterView view, TaskCatalog local) {
    if (localTask.isPresent()) {
      return localTask.get().lane();
    }
    Lane lane = view.tasks().get(task);
    if (lane == null) {
      Set<String> known = new TreeSet<>(view.tasks().keySet());
      local.all().forEach(t -> known.add(t.name()));
      throw new IllegalArgumentException(unknown(task, known));
    }
    return lane;
  }

  /** The one line that refuses an unknown {@code task}, listing {@code known} sorted. */
  public static String unknown(String task, Iterable<String> known) {
    Set<String> sorted = new TreeSet<>();
    known.forEach(sorted::add);
    return "unknown task '" + task + "' (known: " + String.join(", ", sorted) + ")";
  }

  /**
   * Refuses {@code task} when the cluster has workers and none of them offers it; a cluster with no
   * worker yet is not refused (the job waits for one).
   *
   * @throws IllegalArgumentException saying why no worker offers it
   */
  public static void requireOffered(String task, Optional<Task> localTask, ClusterView view) {
    if (view.workers().isEmpty() || view.workersWith(task) > 0) {
      return;
    }
    throw new IllegalArgumentException(
        "no worker offers task '"
            + task
            + "'"
            + (localTask.map(Task::runsCommands).orElse(false)
                ? ": it runs commands, which only workers started with --allow-exec do"
                : " (known: " + String.join(", ", view.tasks().keySet()) + ")"));
  }
}
