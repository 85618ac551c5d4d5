package dev.crew.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.crew.common.Lane;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import dev.crew.common.ledger.TaskLedger;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Pushes one-item no-op tasks through the ledger alone (store -> claim -> record -> consume), one
 * member and one client in this JVM, and prints tasks/s and CPU per task: all threads, and split
 * into the member's side (its Hazelcast threads and the claimers) and the client's (its Hazelcast
 * threads, the storer and the consumer).
 *
 * <pre>
 * java -cp bench/jmh/target/crew-bench.jar dev.crew.bench.LedgerThroughput [tasks] [claimers] [rounds]
 * </pre>
 */
public final class LedgerThroughput {
  private static final int STORE_BATCH = 1_024;

  private LedgerThroughput() {}

  public static void main(String[] args) throws Exception {
    int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int claimers = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    int claimMax = args.length > 3 ? Integer.parseInt(args[3]) : 64;
    try (LedgerCluster cluster = new LedgerCluster()) {
      run(cluster, "warm-up", Math.min(tasks, 20_000), claimers, claimMax);
      for (int round = 1; round <= rounds; round++) {
        run(cluster, "round " + round, tasks, claimers, claimMax);
      }
    }
    System.exit(0);
  }

  private static void run(LedgerCluster cluster, String name, int tasks, int claimers, int claimMax)
      throws Exception {
    String jobId = "noop-" + System.nanoTime();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    Map<Long, Long> threadsBefore = threadCpu(threads);
    long cpuBefore = os.getProcessCpuTime();
    long start = System.nanoTime();
    AtomicBoolean done = new AtomicBoolean();
    try (ExecutorService pool = Executors.newFixedThreadPool(claimers + 1, named())) {
      Future<?> storer = pool.submit(() -> store(cluster.submitterSide, jobId, tasks));
      List<Future<?>> workers = new ArrayList<>();
      for (int i = 0; i < claimers; i++) {
        workers.add(pool.submit(() -> claimAndRecord(cluster, claimMax, done)));
      }
      long consumed = consume(cluster.submitterSide, jobId, tasks);
      done.set(true);
      storer.get();
      for (Future<?> worker : workers) {
        worker.get();
      }
      long nanos = System.nanoTime() - start;
      long cpu = os.getProcessCpuTime() - cpuBefore;
      Map<String, Long> sides = split(threads, threadsBefore, cluster);
      System.out.printf(
          Locale.ROOT,
          "%-8s %,d one-item tasks, %d claimers of up to %d: %,.0f tasks/s; CPU %.1f µs/task (member side"
              + " %.1f, client side %.1f, other %.1f); %d consumed%n",
          name,
          tasks,
          claimers,
          claimMax,
          tasks * 1e9 / nanos,
          cpu / 1e3 / tasks,
          sides.getOrDefault("member", 0L) / 1e3 / tasks,
          sides.getOrDefault("client", 0L) / 1e3 / tasks,
          sides.getOrDefault("other", 0L) / 1e3 / tasks,
          consumed);
    }
    cluster.submitterSide.forget(jobId);
  }

  private static Void store(TaskLedger ledger, String jobId, int tasks) throws Exception {
    Thread.currentThread().setName("client-storer");
    for (int from = 0; from < tasks; from += STORE_BATCH) {
      List<TaskChunk> batch = new ArrayList<>(STORE_BATCH);
      for (int seq = from; seq < Math.min(tasks, from + STORE_BATCH); seq++) {
        batch.add(TaskChunk.ofRange(jobId, seq, seq, seq, 1));
      }
      ledger.store(Lane.CPU, batch);
    }
    return null;
  }

  private static Void claimAndRecord(LedgerCluster cluster, int claimMax, AtomicBoolean done)
      throws Exception {
    Thread.currentThread().setName("member-claimer-" + Thread.currentThread().threadId());
    while (!done.get()) {
      List<TaskChunk> claimed =
          cluster.workerSide.claim(Lane.CPU, cluster.claimant, claimMax, Duration.ofMillis(50));
      if (claimed.isEmpty()) {
        continue;
      }
      List<TaskResult> results = new ArrayList<>(claimed.size());
      for (TaskChunk task : claimed) {
        results.add(
            TaskResult.of(
                task,
                cluster.claimant.worker(),
                0,
                new String[] {Long.toString(task.rangeStart())},
                new String[1]));
      }
      cluster.workerSide.record(results);
    }
    return null;
  }

  private static long consume(TaskLedger ledger, String jobId, int tasks) {
    String name = Thread.currentThread().getName();
    Thread.currentThread().setName("client-consumer");
    try {
      return consumeAll(ledger, jobId, tasks);
    } finally {
      Thread.currentThread().setName(name);
    }
  }

  private static long consumeAll(TaskLedger ledger, String jobId, int tasks) {
    long consumed = 0;
    while (consumed < tasks) {
      int got = ledger.consume(jobId, 4_096).size();
      consumed += got;
      if (got == 0) {
        LockSupport.parkNanos(200_000); // nothing recorded yet: look again shortly
      }
    }
    return consumed;
  }

  private static java.util.concurrent.ThreadFactory named() {
    return Thread.ofPlatform().name("ledger-bench-", 0).factory();
  }

  private static Map<Long, Long> threadCpu(ThreadMXBean threads) {
    Map<Long, Long> cpu = new HashMap<>();
    for (long id : threads.getAllThreadIds()) {
      cpu.put(id, threads.getThreadCpuTime(id));
    }
    return cpu;
  }

  /**
   * CPU since {@code before} by side, from thread names (Hazelcast names its threads by instance).
   */
  private static Map<String, Long> split(
      ThreadMXBean threads, Map<Long, Long> before, LedgerCluster cluster) {
    String member = cluster.member.getName();
    String client = cluster.client.getName();
    Map<String, Long> sides = new HashMap<>();
    for (long id : threads.getAllThreadIds()) {
      ThreadInfo info = threads.getThreadInfo(id);
      long now = threads.getThreadCpuTime(id);
      if (info == null || now < 0) {
        continue;
      }
      long used = now - before.getOrDefault(id, 0L);
      String thread = info.getThreadName();
      String side =
          thread.contains(client) || thread.startsWith("client-")
              ? "client"
              : thread.contains(member) || thread.startsWith("member-") ? "member" : "other";
      sides.merge(side, used, Long::sum);
    }
    return sides;
  }
}
