package dev.crew.client.job;

import dev.crew.common.Lane;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Decides how many items go in each task.
 *
 * <p>A fixed size, or {@code auto}: like {@code multiprocessing.Pool.map}'s chunksize, but
 * measured. It sends a few one-item probe tasks, waits briefly for the first of them to complete,
 * and from then on sizes each task so that it runs for about {@link #TARGET} on a worker, from a
 * running average of the item times the workers report. When the total is known a task never takes
 * more than a quarter of one slot's fair share, so the last tasks still spread over every slot.
 */
public final class ChunkPlanner {
  /**
   * How long an auto-sized task should run: long enough to hide the per-task cost, short enough to
   * balance (the cap of a quarter of a slot's share balances known totals). A task's cost is not
   * its idle-machine figure (well under a millisecond) when every core runs items: each hand-off
   * between the threads that take, run and record a task then waits for a core, and a fresh worker
   * still compiles Hazelcast's code. Measured on a 2-core host, fib(30) x 2,000 on one worker took
   * 4.4-4.6 s with 25 ms tasks and 3.6 s with 500 ms ones (3.43 s is one thread's time over two
   * cores); fib(32) x 1,000 on two workers took 6.9-7.5 s and 5.1-5.2 s.
   */
  public static final Duration TARGET = Duration.ofMillis(500);

  private static final double SMOOTHING = 0.3;

  /** Upper bound for auto-sized tasks: bounds the memory of a task in flight and of its result. */
  public static final int MAX_AUTO = 10_000;

  private final int fixed;
  private final int probes;
  private final long cap;
  private final Duration probeWait;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition measured = lock.newCondition();
  private double nanosPerItem = -1;
  private int issued;

  private ChunkPlanner(int fixed, int probes, long cap, Duration probeWait) {
    this.fixed = fixed;
    this.probes = probes;
    this.cap = cap;
    this.probeWait = probeWait;
  }

  /** Every task gets {@code size} items. */
  public static ChunkPlanner fixed(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("--chunk must be at least 1, not " + size);
    }
    return new ChunkPlanner(size, 0, size, Duration.ZERO);
  }

  /**
   * Sizes tasks from measured item times.
   *
   * @param slots lane slots across the cluster (threads or items in flight)
   * @param total the input's size, or -1 if unknown
   * @param probeWait how long to wait for the first measurement before going on with one-item tasks
   */
  public static ChunkPlanner auto(int slots, long total, Duration probeWait) {
    int probes = Math.max(2, Math.min(slots, 64));
    long cap = MAX_AUTO;
    if (total > 0) {
      cap = Math.max(1, Math.min(cap, (total + 4L * slots - 1) / (4L * slots)));
    }
    return new ChunkPlanner(0, probes, cap, probeWait);
  }

  /**
   * Sizes tasks for a lane whose slots are items in flight (the I/O lane): a task's items run at
   * once, so it takes about as long as its slowest item however many it holds, and the per-task
   * cost is what to save. Each task gets an eighth of a worker's slots, so eight tasks keep a
   * worker full, but no more than a quarter of a worker's fair share of the input, so every worker
   * gets work.
   *
   * @param workers workers in the cluster
   * @param slots lane slots across the cluster
   * @param total the input's size, or -1 if unknown
   */
  public static ChunkPlanner concurrent(int workers, int slots, long total) {
    int perWorker = Math.max(1, slots / Math.max(1, workers));
    long size = Math.max(1, perWorker / 8);
    if (total > 0) {
      size = Math.min(size, Math.max(1, total / (4L * Math.max(1, workers))));
    }
    return fixed((int) Math.min(MAX_AUTO, size));
  }

  /**
   * Parses {@code --chunk N|auto} for {@code lane}: auto measures item times on the CPU lane, see
   * above on I/O.
   */
  public static ChunkPlanner parse(
      String text, Lane lane, int workers, int slots, long total, Duration probeWait) {
    if (lane == Lane.IO && text.equalsIgnoreCase("auto")) {
      return concurrent(workers, slots, total);
    }
    return parse(text, slots, total, probeWait);
  }

  /** Parses {@code --chunk N|auto}. */
  public static ChunkPlanner parse(String text, int slots, long total, Duration probeWait) {
    if (text.equalsIgnoreCase("auto")) {
      return auto(slots, total, probeWait);
    }
    try {
      return fixed(Integer.parseInt(text.trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "bad --chunk '" + text + "' (expected a number of items or auto)");
    }
  }

  /**
   * The size of the next task; during probing this may wait up to the probe wait for a first
   * measurement.
   */
  public int nextSize() throws InterruptedException {
    if (fixed > 0) {
      return fixed;
    }
    lock.lock();
    try {
      if (nanosPerItem < 0) {
        if (issued < probes) {
          issued++;
          return 1;
        }
        long wait = probeWait.toNanos();
        while (nanosPerItem < 0 && wait > 0) {
          wait = measured.awaitNanos(wait);
        }
        if (nanosPerItem < 0) {
          return 1;
        }
      }
      long size = Math.round(TARGET.toNanos() / Math.max(nanosPerItem, 1.0));
      return (int) Math.max(1, Math.min(cap, size));
    } finally {
      lock.unlock();
    }
  }

  /** Learns from a completed task: {@code items} took {@code busyNanos} of worker time in all. */
  public void record(int items, long busyNanos) {
    if (items <= 0 || fixed > 0) {
      return;
    }
    lock.lock();
    try {
      double sample = (double) Math.max(busyNanos, 0) / items;
      // A moving average over tasks: it forgets the first, cold-JIT probes within a few tasks and
      // follows a
      // workload whose items change cost.
      nanosPerItem =
          nanosPerItem < 0 ? sample : (1 - SMOOTHING) * nanosPerItem + SMOOTHING * sample;
      measured.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Whether the next {@link #nextSize()} could wait for a measurement: queue what is pending before
   * asking.
   */
  public boolean probing() {
    lock.lock();
    try {
      return fixed == 0 && nanosPerItem < 0;
    } finally {
      lock.unlock();
    }
  }

  /** The measured time per item, or -1 before the first measurement. */
  public double nanosPerItem() {
    lock.lock();
    try {
      return nanosPerItem;
    } finally {
      lock.unlock();
    }
  }
}
