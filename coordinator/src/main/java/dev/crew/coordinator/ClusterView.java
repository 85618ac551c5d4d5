package dev.crew.coordinator;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import dev.crew.common.Lane;
import dev.crew.common.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The workers of a cluster as their member attributes describe them. */
record ClusterView(List<WorkerView> workers) {

  /** One worker: its name ({@code host:port}), capacity, and the tasks it can run by lane. */
  record WorkerView(
      String name, int cores, int cpuThreads, int ioConcurrency, Map<String, Lane> tasks) {
    int slots(Lane lane) {
      return lane == Lane.CPU ? cpuThreads : ioConcurrency;
    }
  }

  static ClusterView of(HazelcastInstance hazelcast) {
    List<WorkerView> workers = new ArrayList<>();
    for (Member member : hazelcast.getCluster().getMembers()) {
      if (!Names.ROLE_WORKER.equals(member.getAttribute(Names.ATTR_ROLE))) {
        continue;
      }
      Map<String, Lane> tasks = new TreeMap<>();
      String advertised = member.getAttribute(Names.ATTR_TASKS);
      if (advertised != null && !advertised.isBlank()) {
        for (String pair : advertised.split(",")) {
          int colon = pair.lastIndexOf(':');
          if (colon > 0) {
            tasks.put(pair.substring(0, colon), Lane.parse(pair.substring(colon + 1)));
          }
        }
      }
      workers.add(
          new WorkerView(
              Names.member(member),
              number(member, Names.ATTR_CORES),
              number(member, Names.ATTR_CPU_THREADS),
              number(member, Names.ATTR_IO_CONCURRENCY),
              tasks));
    }
    workers.sort((a, b) -> a.name().compareTo(b.name()));
    return new ClusterView(List.copyOf(workers));
  }

  private static int number(Member member, String attribute) {
    try {
      return Integer.parseInt(member.getAttribute(attribute));
    } catch (NumberFormatException | NullPointerException e) {
      return 0;
    }
  }

  int slots(Lane lane) {
    return workers.stream().mapToInt(w -> w.slots(lane)).sum();
  }

  /** Every task some worker offers, with its lane. */
  Map<String, Lane> tasks() {
    Map<String, Lane> all = new TreeMap<>();
    workers.forEach(w -> all.putAll(w.tasks()));
    return all;
  }

  long workersWith(String task) {
    return workers.stream().filter(w -> w.tasks().containsKey(task)).count();
  }
}
