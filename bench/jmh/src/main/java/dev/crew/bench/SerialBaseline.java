package dev.crew.bench;

import dev.crew.common.ItemFunction;
import dev.crew.common.Params;
import dev.crew.common.Task;
import dev.crew.common.TaskCatalog;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Optional;

/**
 * The single-thread baseline of {@code bench/run}: a built-in task's own {@link ItemFunction} applied to the same item
 * {@code COUNT} times, one after another on one thread, with no cluster. One untimed warm-up pass of the same size
 * comes first, so the JIT has compiled the function as it has on a warm worker.
 *
 * <p>Usage: {@code SerialBaseline TASK ITEM COUNT RUNS}; prints one line per run: {@code serial COUNT SECONDS
 * CPU_SECONDS}, the wall time and the CPU time of the thread.
 */
public final class SerialBaseline {
  private SerialBaseline() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      fail("usage: SerialBaseline TASK ITEM COUNT RUNS");
    }
    Optional<Task> task = TaskCatalog.builtIn().find(args[0]);
    if (task.isEmpty()) {
      fail("unknown task '" + args[0] + "'");
    }
    int count = positive(args[2], "COUNT");
    int runs = positive(args[3], "RUNS");
    ItemFunction function = task.get().bind(Params.NONE);
    String item = args[1];
    long sink = pass(function, item, count);
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (int run = 0; run < runs; run++) {
      long started = System.nanoTime();
      long startedCpu = threads.getCurrentThreadCpuTime();
      sink += pass(function, item, count);
      double seconds = (System.nanoTime() - started) / 1e9;
      double cpuSeconds = (threads.getCurrentThreadCpuTime() - startedCpu) / 1e9;
      System.out.printf("serial %d %.6f %.6f%n", count, seconds, cpuSeconds);
    }
    // Keeps the results alive, so no pass can be optimised away.
    if (sink == 42) {
      System.err.println("sink " + sink);
    }
  }

  private static long pass(ItemFunction function, String item, int count) throws Exception {
    long sink = 0;
    for (int i = 0; i < count; i++) {
      sink += function.apply(item).hashCode();
    }
    return sink;
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
