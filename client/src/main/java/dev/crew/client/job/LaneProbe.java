package dev.crew.client.job;

import dev.crew.common.Lane;
import dev.crew.common.TaskResult;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Chooses the lane of a job whose task declares none: its first tasks, of one item each, run on the
 * CPU lane, whose platform threads can read their own CPU time (a virtual thread cannot), and once
 * they report, the rest of the job goes where their CPU time against their wall time says ({@link
 * LaneChoice}).
 */
public final class LaneProbe {
  /** One-item tasks measured before choosing: two, so one slow start does not decide alone. */
  public static final int TASKS = TaskResult.MEASURED_TASKS;

  private final ChunkPlanner ioPlanner;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition reported = lock.newCondition();
  private int issued;
  private int measured;
  private final boolean[] counted = new boolean[TASKS];
  private long wallNanos;
  private long cpuNanos;
  private LaneChoice choice;

  /**
   * @param ioPlanner sizes the job's tasks after the probes if it goes to the I/O lane
   */
  public LaneProbe(ChunkPlanner ioPlanner) {
    this.ioPlanner = ioPlanner;
  }

  /**
   * A probe for a job cut by {@code --chunk chunk}: after it, a job on the I/O lane is cut as that
   * lane's jobs are.
   *
   * @param workers workers in the cluster
   * @param ioSlots the I/O lane's slots across the cluster
   * @param total the input's size, or -1 if unknown
   */
  public static LaneProbe of(String chunk, int workers, int ioSlots, long total) {
    return new LaneProbe(
        ChunkPlanner.parse(
            chunk, Lane.IO, Math.max(1, workers), Math.max(1, ioSlots), total, Duration.ZERO));
  }

  /**
   * Whether a job of {@code task} chooses its lane from measurements: asked to ({@code --lane
   * auto}), or given no lane for a task that declares none.
   *
   * @param declared the task's declared lane where this process knows the task, else empty
   * @param declaredInCluster whether every worker offering the task declares its lane
   */
  public static boolean chooses(
      boolean asked,
      boolean laneGiven,
      Optional<Optional<Lane>> declared,
      boolean declaredInCluster) {
    if (asked) {
      return true;
    }
    if (laneGiven) {
      return false;
    }
    return declared.map(Optional::isEmpty).orElse(!declaredInCluster);
  }

  /** The lane the probes run on. */
  public static Lane probeLane() {
    return Lane.CPU;
  }

  /** Whether the next task is a probe (one item, on {@link #probeLane()}); counts it if so. */
  boolean nextIsProbe() {
    lock.lock();
    try {
      if (choice != null || issued >= TASKS) {
        return false;
      }
      issued++;
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Waits until every probe issued has reported, then returns the lane chosen. */
  LaneChoice awaitChoice() throws InterruptedException {
    lock.lock();
    try {
      while (choice == null) {
        if (measured >= issued) {
          choice = LaneChoice.of(measured, wallNanos, cpuNanos);
          break;
        }
        reported.await();
      }
      return choice;
    } finally {
      lock.unlock();
    }
  }

  /** Sizes the tasks after the probes on {@code lane}: {@code cpu} is the job's own planner. */
  ChunkPlanner plannerFor(Lane lane, ChunkPlanner cpuPlanner) {
    return lane == Lane.IO ? ioPlanner : cpuPlanner;
  }

  /** Learns from a result of the job: the probes are its first tasks. */
  void record(TaskResult result) {
    lock.lock();
    try {
      if (choice != null || result.seq() >= issued || result.forged()) {
        return;
      }
      if (counted[(int) result.seq()]) {
        return; // read twice
      }
      counted[(int) result.seq()] = true;
      measured++;
      wallNanos += result.elapsedNanos();
      cpuNanos += result.cpuNanos();
      reported.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The lane chosen; before the choice, what the probes measured so far. */
  public LaneChoice choice() {
    lock.lock();
    try {
      return choice != null ? choice : LaneChoice.of(measured, wallNanos, cpuNanos);
    } finally {
      lock.unlock();
    }
  }

  /** Whether the lane was chosen. */
  public boolean chosen() {
    lock.lock();
    try {
      return choice != null;
    } finally {
      lock.unlock();
    }
  }
}
