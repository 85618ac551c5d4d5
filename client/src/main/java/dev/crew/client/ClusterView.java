package dev.crew.client;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import dev.crew.common.Lane;
import dev.crew.common.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The workers of a cluster as their member attributes describe them.
 *
 * @param workers the workers, by name
 */
public record ClusterView(List<WorkerView> workers) {

  /**
   * One worker.
   *
   * @param name its name, {@code host:port}
   * @param member its Hazelcast member's UUID
   * @param cores the cores of its host
   * @param cpuThreads the threads of its CPU lane
   * @param ioConcurrency the items its I/O lane keeps in flight at most
   * @param tasks the tasks it offers, each with the lane it runs on (a task that declares none with
   *     the CPU lane, where its jobs measure their first items)
   * @param laneless the tasks it offers that declare no lane: their jobs choose one ({@code --lane
   *     auto})
   */
  public record WorkerView(
      String name,
      String member,
      int cores,
      int cpuThreads,
      int ioConcurrency,
      Map<String, Lane> tasks,
      Set<String> laneless) {
    /** Copies the tasks. */
    public WorkerView {
      tasks = Map.copyOf(tasks);
      laneless = Set.copyOf(laneless);
    }

    /**
     * A worker whose tasks all declare their lane.
     *
     * @param name its name, {@code host:port}
     * @param member its Hazelcast member's UUID
     * @param cores the cores of its host
     * @param cpuThreads the threads of its CPU lane
     * @param ioConcurrency the items its I/O lane keeps in flight at most
     * @param tasks the tasks it offers, each with the lane it runs on
     */
    public WorkerView(
        String name,
        String member,
        int cores,
        int cpuThreads,
        int ioConcurrency,
        Map<String, Lane> tasks) {
      this(name, member, cores, cpuThreads, ioConcurrency, tasks, Set.of());
    }

    /**
     * The items this worker runs at once on {@code lane}.
     *
     * @param lane a lane
     * @return its threads or items in flight
     */
    public int slots(Lane lane) {
      return lane == Lane.CPU ? cpuThreads : ioConcurrency;
    }
  }

  /** Copies the list. */
  public ClusterView {
    workers = List.copyOf(workers);
  }

  /**
   * The workers of the cluster that {@code hazelcast} belongs to, or is a client of.
   *
   * @param hazelcast a member or client of the cluster
   * @return its workers now
   */
  public static ClusterView of(HazelcastInstance hazelcast) {
    List<WorkerView> workers = new ArrayList<>();
    for (Member member : hazelcast.getCluster().getMembers()) {
      if (!Names.ROLE_WORKER.equals(member.getAttribute(Names.ATTR_ROLE))) {
        continue;
      }
      Map<String, Lane> tasks = new TreeMap<>();
      Set<String> laneless = new TreeSet<>();
      String advertised = member.getAttribute(Names.ATTR_TASKS);
      if (advertised != null && !advertised.isBlank()) {
        for (String pair : advertised.split(",")) {
          int colon = pair.lastIndexOf(':');
          if (colon > 0) {
            String name = pair.substring(0, colon);
            String lane = pair.substring(colon + 1);
            if (lane.equals("auto")) {
              laneless.add(name);
              tasks.put(name, Lane.CPU);
            } else {
              tasks.put(name, Lane.parse(lane));
            }
          }
        }
      }
      workers.add(
          new WorkerView(
              Names.member(member),
              member.getUuid().toString(),
              number(member, Names.ATTR_CORES),
              number(member, Names.ATTR_CPU_THREADS),
              number(member, Names.ATTR_IO_CONCURRENCY),
              tasks,
              laneless));
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

  /**
   * The items all workers run at once on {@code lane}.
   *
   * @param lane a lane
   * @return the sum of the workers' slots
   */
  public int slots(Lane lane) {
    return workers.stream().mapToInt(w -> w.slots(lane)).sum();
  }

  /**
   * Every task some worker offers.
   *
   * @return the tasks by name, each with its lane
   */
  public Map<String, Lane> tasks() {
    Map<String, Lane> all = new TreeMap<>();
    workers.forEach(w -> all.putAll(w.tasks()));
    return all;
  }

  /**
   * Whether {@code task} declares its lane on every worker that offers it; a task that declares
   * none has its jobs choose one from measurements ({@code --lane auto}).
   *
   * @param task a task's name
   * @return false if some worker offers it without a lane
   */
  public boolean declaresLane(String task) {
    return workers.stream().noneMatch(w -> w.laneless().contains(task));
  }

  /**
   * How many workers offer {@code task}.
   *
   * @param task a task's name
   * @return the number of workers
   */
  public long workersWith(String task) {
    return workers.stream().filter(w -> w.tasks().containsKey(task)).count();
  }
}
