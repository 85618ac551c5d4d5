package dev.crew.client.job;

import dev.crew.client.ClusterView;
import dev.crew.client.StageSpec;
import dev.crew.common.Lane;
import dev.crew.common.Params;
import dev.crew.common.Stage;
import dev.crew.common.Task;
import dev.crew.common.TaskCatalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A pipeline's stages after its first, checked against the cluster before anything is stored, the
 * same for {@code coordinator submit --then} and the library: each task known and offered by some
 * worker, its parameters accepted where this process knows the task, and its lane its own unless
 * one is given. A stage's lane is never measured ({@code --lane auto} moves a job's tasks, and a
 * pipeline's stages run side by side): a task that declares no lane runs on the CPU lane.
 */
public final class Stages {
  private Stages() {}

  /**
   * The stages of {@code specs}, in order.
   *
   * @throws IllegalArgumentException in one line naming the stage, if one is refused
   */
  public static List<Stage> resolve(List<StageSpec> specs, TaskCatalog local, ClusterView view) {
    List<Stage> stages = new ArrayList<>(specs.size());
    for (int i = 0; i < specs.size(); i++) {
      StageSpec spec = specs.get(i);
      Optional<Task> localTask = local.find(spec.task());
      try {
        Params params = new Params(spec.params());
        if (localTask.isPresent()) {
          localTask.get().bind(params);
        }
        Lane lane =
            spec.lane().orElseGet(() -> TaskChoice.laneOf(spec.task(), localTask, view, local));
        TaskChoice.requireOffered(spec.task(), localTask, view);
        stages.add(new Stage(spec.task(), lane, params));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "stage " + (i + 2) + " (" + spec.task() + "): " + e.getMessage(), e);
      }
    }
    return stages;
  }
}
