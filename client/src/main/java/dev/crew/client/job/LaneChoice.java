package dev.crew.client.job;

import dev.crew.common.Lane;

/**
 * The lane chosen for a job whose task declares none ({@code --lane auto}), and why: the share of
 * its measured items' wall time that their worker threads spent on a CPU.
 *
 * @param lane where the job's tasks after the measured ones run
 * @param items items measured; 0 when none was, and the job stays on the lane it measures on
 * @param cpuShare CPU time over wall time of the measured items, 0 to 1
 */
public record LaneChoice(Lane lane, long items, double cpuShare) {

  /**
   * Items that spend at least this share of their wall time on a CPU are mostly computing: the CPU
   * lane, whose one thread per core they keep busy. Below it they mostly wait, and the I/O lane
   * keeps many of them in flight instead. A tie goes to the CPU lane, which never overcommits.
   */
  public static final double CPU_SHARE = 0.5;

  public LaneChoice {
    if (items < 0 || cpuShare < 0 || cpuShare > 1) {
      throw new IllegalArgumentException("bad measurement: " + items + " items, " + cpuShare);
    }
  }

  /**
   * Chooses from what the measured items took: {@code cpuNanos} of their threads' CPU time in
   * {@code wallNanos} of wall time. With nothing measured, the CPU lane (where the items were
   * measured) stays.
   */
  public static LaneChoice of(long items, long wallNanos, long cpuNanos) {
    if (items <= 0 || wallNanos <= 0) {
      return new LaneChoice(Lane.CPU, 0, 0);
    }
    // The CPU time also covers the task's own handling around its items, which can exceed the
    // items' time when they take microseconds: such items are computing.
    double share = Math.min(1.0, (double) Math.max(0, cpuNanos) / wallNanos);
    return new LaneChoice(share >= CPU_SHARE ? Lane.CPU : Lane.IO, items, share);
  }

  /** What the summary line says, e.g. {@code lane auto: io (items 1% on CPU, 2 measured)}. */
  public String describe() {
    if (items == 0) {
      return "lane auto: " + lane.id() + " (no item measured)";
    }
    return String.format(
        "lane auto: %s (items %d%% on CPU, %d measured)",
        lane.id(), Math.round(cpuShare * 100), items);
  }
}
