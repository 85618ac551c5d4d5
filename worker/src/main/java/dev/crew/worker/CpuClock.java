package dev.crew.worker;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The calling platform thread's time on a CPU or ready for one: what a task computed, as opposed to
 * what it waited for. On Linux it is read from the scheduler's own count ({@code
 * /proc/thread-self/schedstat}: time run plus time waited in the run queue), so that a busy host,
 * where computing threads queue for a core, does not make them look like waiting ones; elsewhere it
 * is the thread's CPU time.
 */
final class CpuClock {
  private static final Path SCHEDSTAT = Path.of("/proc/thread-self/schedstat");
  private static final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private static final boolean schedstat = read() >= 0;

  private CpuClock() {}

  /** Nanoseconds so far, or -1 for a virtual thread or where neither count can be read. */
  static long nanos() {
    if (Thread.currentThread().isVirtual()) {
      return -1; // a virtual thread has no count of its own: its carrier's is shared
    }
    if (schedstat) {
      long nanos = read();
      if (nanos >= 0) {
        return nanos;
      }
    }
    try {
      return threads.getCurrentThreadCpuTime();
    } catch (UnsupportedOperationException e) {
      return -1;
    }
  }

  /** Run time plus run-queue time of the calling thread, or -1 where there is no schedstat. */
  static long read() {
    try {
      String[] fields =
          new String(Files.readAllBytes(SCHEDSTAT), StandardCharsets.US_ASCII).trim().split(" ");
      return Long.parseLong(fields[0]) + Long.parseLong(fields[1]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
