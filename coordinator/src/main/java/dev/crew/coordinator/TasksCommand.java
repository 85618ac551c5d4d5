package dev.crew.coordinator;

import com.hazelcast.core.HazelcastInstance;
import dev.crew.client.ClusterView;
import dev.crew.common.Lane;
import dev.crew.common.Task;
import dev.crew.common.TaskCatalog;
import dev.crew.common.TerminalText;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code coordinator tasks}: the tasks the cluster's workers offer. */
@Command(
    name = "tasks",
    header = "List the tasks the cluster's workers offer, with their lanes.",
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
      out().flush();
      return ExitCodes.OK;
    } finally {
      hazelcast.shutdown();
    }
  }
}
