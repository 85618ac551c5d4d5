package dev.crew.bench;

import dev.crew.common.ItemFunction;
import dev.crew.common.Params;
import dev.crew.common.Task;
import dev.crew.common.TaskCatalog;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The single-thread baseline of {@code bench/run}: a built-in task's own {@link ItemFunction}
 * applied to the same item {@code COUNT} times, one after another on one thread, with no cluster.
 * One untimed warm-up pass of the same size comes first, so the JIT has compiled the function as it
 * has on a warm worker.
 *
 * <p>With {@code THREADS} above one, the same items are shared by that many plain platform threads
 * of one process, no cluster: what the machine itself gives when every core computes, against which
 * a cluster's parallel speed is fair to measure (a virtual machine's cores may not all be whole
 * cores).
 *
 * <p>Usage: {@code SerialBaseline TASK ITEM COUNT RUNS [THREADS]}; prints one line per run: {@code
 * serial COUNT SECONDS CPU_SECONDS} (or {@code threads COUNT ...}), the wall time and the CPU time
 * of the threads.
 */
public final class SerialBaseline {
  private SerialBaseline() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 4 && args.length != 5) {
      fail("usage: SerialBaseline TASK ITEM COUNT RUNS [THREADS]");
    }
    Optional<Task> task = TaskCatalog.builtIn().find(args[0]);
    if (task.isEmpty()) {
      fail("unknown task '" + args[0] + "'");
    }
    int count = positive(args[2], "COUNT");
    int runs = positive(args[3], "RUNS");
    int threadCount = args.length == 5 ? positive(args[4], "THREADS") : 1;
    ItemFunction function = task.get().bind(Params.NONE);
    String item = args[1];
    ExecutorService pool = Executors.newFixedThreadPool(threadCount);
    try {
      long sink = parallelPass(pool, threadCount, function, item, count).sink();
      for (int run = 0; run < runs; run++) {
        long started = System.nanoTime();
        Pass pass = parallelPass(pool, threadCount, function, item, count);
        sink += pass.sink();
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf(
            "%s %d %.6f %.6f%n",
            threadCount == 1 ? "serial" : "threads", count, seconds, pass.cpuNanos() / 1e9);
      }
      // Keeps the results alive, so no pass can be optimised away.
      if (sink == 42) {
        System.err.println("sink " + sink);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private record Pass(long sink, long cpuNanos) {}

  /**
   * {@code count} items shared by {@code threadCount} threads, each taking the next item until none
   * is left.
   */
  private static Pass parallelPass(
      ExecutorService pool, int threadCount, ItemFunction function, String item, int count)
      throws Exception {
    AtomicInteger next = new AtomicInteger();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    List<Callable<Pass>> workers = new ArrayList<>();
    for (int t = 0; t < threadCount; t++) {
      workers.add(
          () -> {
            long startedCpu = threads.getCurrentThreadCpuTime();
            long sink = 0;
            while (next.getAndIncrement() < count) {
              sink += function.apply(item).hashCode();
            }
            return new Pass(sink, threads.getCurrentThreadCpuTime() - startedCpu);
          });
    }
    long sink = 0;
    long cpu = 0;
    for (Future<Pass> done : pool.invokeAll(workers)) {
      Pass pass = done.get();
      sink += pass.sink();
      cpu += pass.cpuNanos();
    }
    return new Pass(sink, cpu);
  }

  private static int positive(String text, String name) {
    try {
      int value = Integer.parseInt(text);
      if (value > 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    fail(name + " must be a positive integer, not '" + text + "'");
    return 0;
  }

  private static void fail(String message) {
    System.err.println("serial-baseline: " + message);
    System.exit(2);
  }
}
