package dev.crew.worker;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The calling platform thread's time on a CPU or ready for one: what a task computed, as opposed to
 * what it waited for. It is the thread's CPU time plus, on Linux, the time it waited in the run
 * queue for a core ({@code /proc/thread-self/schedstat}), so that a busy host, where computing
 * threads queue for a core, does not make them look like waiting ones. (The schedstat run time
 * itself is not used: it moves only at scheduler ticks and switches, too coarse for short items.)
 */
final class CpuClock {
  private static final Path SCHEDSTAT = Path.of("/proc/thread-self/schedstat");
  private static final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private static final boolean schedstat = runQueueNanos() >= 0;

  private CpuClock() {}

  /** Nanoseconds so far, or -1 for a virtual thread or where the JVM gives no CPU time. */
  static long nanos() {
    if (Thread.currentThread().isVirtual()) {
      return -1; // a virtual thread has no count of its own: its carrier's is shared
    }
    long cpu;
    try {
      cpu = threads.getCurrentThreadCpuTime();
    } catch (UnsupportedOperationException e) {
      return -1;
    }
    if (cpu < 0) {
      return -1;
    }
    long queued = schedstat ? runQueueNanos() : 0;
    return cpu + Math.max(0, queued);
  }

  /** Time the calling thread waited in the run queue, or -1 where there is no schedstat. */
  static long runQueueNanos() {
    try {
      String[] fields =
          new String(Files.readAllBytes(SCHEDSTAT), StandardCharsets.US_ASCII).trim().split(" ");
      return Long.parseLong(fields[1]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
