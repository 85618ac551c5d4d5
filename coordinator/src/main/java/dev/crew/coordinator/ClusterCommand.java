package dev.crew.coordinator;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.crew.common.Job;
import dev.crew.common.Lane;
import dev.crew.common.Names;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code coordinator cluster}: the workers, their capacity, and the lane queues. */
@Command(
    name = "cluster",
    header = "Show the cluster's workers (address, cores, lane sizes) and how many tasks wait in each lane.",
    mixinStandardHelpOptions = true)
final class ClusterCommand extends ClusterCommandBase implements Callable<Integer> {

  @Override
  public Integer call() {
    HazelcastInstance hazelcast = connect();
    try {
      ClusterView view = ClusterView.of(hazelcast);
      int cores = view.workers().stream().mapToInt(ClusterView.WorkerView::cores).sum();
      out().printf(
          "cluster '%s': %d workers, %d cores, %d cpu slots, %d io slots%n",
          options().cluster, view.workers().size(), cores, view.slots(Lane.CPU), view.slots(Lane.IO));
      if (!view.workers().isEmpty()) {
        String format = "  %-22s %5s %5s %6s  %s%n";
        out().printf(format, "WORKER", "CORES", "CPU", "IO", "TASKS");
        for (ClusterView.WorkerView worker : view.workers()) {
          out().printf(
              format,
              worker.name(),
              worker.cores(),
              worker.cpuThreads(),
              worker.ioConcurrency(),
              worker.tasks().size());
        }
      }
      for (Lane lane : Lane.values()) {
        out().printf("queue %-3s %d tasks waiting%n", lane.id(), hazelcast.getQueue(lane.queueName()).size());
      }
      IMap<String, Job> jobs = hazelcast.getMap(Names.JOBS);
      long active = jobs.values().stream().filter(j -> !j.state().isFinal()).count();
      out().printf("jobs: %d known, %d not finished%n", jobs.size(), active);
      out().flush();
      return ExitCodes.OK;
    } finally {
      hazelcast.shutdown();
    }
  }
}
