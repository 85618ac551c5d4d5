package dev.crew.coordinator;

import com.hazelcast.core.HazelcastInstance;
import dev.crew.client.ClusterView;
import dev.crew.common.Lane;
import dev.crew.common.Reducer;
import dev.crew.common.ReducerCatalog;
import dev.crew.common.Task;
import dev.crew.common.TaskCatalog;
import dev.crew.common.TerminalText;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code coordinator tasks}: the tasks the cluster's workers offer, and the reductions this
 * coordinator has.
 */
@Command(
    name = "tasks",
    header = "List the tasks the cluster's workers offer, with their lanes, and the reductions.",
    mixinStandardHelpOptions = true)
final class TasksCommand extends ClusterCommandBase implements Callable<Integer> {

  @Override
  public Integer call() {
    HazelcastInstance hazelcast = connect();
    try {
      ClusterView view = ClusterView.of(hazelcast);
      TaskCatalog local = TaskCatalog.load(Thread.currentThread().getContextClassLoader());
      Map<String, Lane> tasks = view.tasks();
      if (tasks.isEmpty()) {
        out().println("no workers in cluster '" + options().cluster + "', so no tasks");
      } else {
        String format = "%-14s %-4s %-8s %s%n";
        out().printf(format, "TASK", "LANE", "WORKERS", "DESCRIPTION");
        tasks.forEach(
            (name, lane) ->
                out()
                    .printf(
                        format,
                        TerminalText.of(name),
                        lane.id(),
                        view.workersWith(name) + "/" + view.workers().size(),
                        local.find(name).map(Task::description).orElse("(a plugin task)")));
      }
      // Reductions run here, where the results are read: this process's own, plugins included.
      out().println();
      out().printf("%-14s %s%n", "REDUCTION", "DESCRIPTION");
      for (Reducer reducer :
          ReducerCatalog.load(Thread.currentThread().getContextClassLoader()).all()) {
        out()
            .printf(
                "%-14s %s%n",
                TerminalText.of(reducer.name()), TerminalText.of(reducer.description()));
      }
      out().flush();
      return ExitCodes.OK;
    } finally {
      hazelcast.shutdown();
    }
  }
}
