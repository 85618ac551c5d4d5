package dev.crew.client;

import dev.crew.common.ItemFunction;
import dev.crew.common.Lane;
import dev.crew.common.Params;
import dev.crew.common.Task;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Optional;

/**
 * A plugin-like task that declares no lane: an item {@code burn:MS} computes for that many
 * milliseconds of its thread's CPU time, {@code wait:MS} sleeps that long.
 */
public final class MeasuredTask implements Task {
  private static final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

  @Override
  public String name() {
    return "measured";
  }

  @Override
  public Optional<Lane> declaredLane() {
    return Optional.empty();
  }

  @Override
  public String description() {
    return "burn:MS computes, wait:MS sleeps (a test task with no lane)";
  }

  @Override
  public ItemFunction bind(Params params) {
    params.allowOnly(name());
    return item -> {
      String[] parts = item.split(":", 2);
      long millis = Long.parseLong(parts[1]);
      if (parts[0].equals("wait")) {
        Thread.sleep(millis);
        return millis;
      }
      // Virtual threads have no CPU time of their own: spin on the wall clock there.
      boolean virtual = Thread.currentThread().isVirtual();
      long end =
          (virtual ? System.nanoTime() : threads.getCurrentThreadCpuTime()) + millis * 1_000_000;
      long x = 1;
      while ((virtual ? System.nanoTime() : threads.getCurrentThreadCpuTime()) < end) {
        for (int i = 0; i < 10_000; i++) {
          x = x * 31 + i;
        }
      }
      return x;
    };
  }
}
