package dev.crew.worker;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/** Keeps the calling thread on a CPU for a given amount of its own CPU time. */
final class Burn {
  private static final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

  private Burn() {}

  /** Spins until this thread has used {@code nanos} more CPU time; returns a value to keep. */
  static long cpuFor(long nanos) {
    long end = threads.getCurrentThreadCpuTime() + nanos;
    long x = 1;
    while (threads.getCurrentThreadCpuTime() < end) {
      for (int i = 0; i < 10_000; i++) {
        x = x * 31 + i;
      }
    }
    return x;
  }
}
