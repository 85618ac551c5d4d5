package dev.crew.worker;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Enforces per-item time limits. When a try runs past its timeout the watchdog interrupts its
 * thread; if the item still has not returned a grace period later (a loop that never checks for
 * interrupts), the watchdog gives up on the thread and calls the item's {@code onStuck}, which
 * records the item as failed and moves the lane on.
 */
final class Watchdog {
  private static final int RUNNING = 0;
  private static final int INTERRUPTED = 1;
  private static final int ABANDONED = 2;
  private static final int DONE = 3;

  private final ScheduledExecutorService timer;

  Watchdog(ScheduledExecutorService timer) {
    this.timer = timer;
  }

  /**
   * The grace between the interrupt and giving up on the thread: long enough to unwind, short
   * enough to matter.
   */
  static Duration grace(Duration timeout) {
    return Duration.ofMillis(Math.clamp(timeout.toMillis() / 2, 500, 5_000));
  }

  /** One watched try. */
  final class Watch {
    private final AtomicInteger state = new AtomicInteger(RUNNING);
    private final ScheduledFuture<?> interrupt;
    private final ScheduledFuture<?> abandon;

    private Watch(Thread thread, Duration timeout, Runnable onStuck) {
      interrupt =
          timer.schedule(
              () -> {
                if (state.compareAndSet(RUNNING, INTERRUPTED)) {
                  thread.interrupt();
                }
              },
              timeout.toNanos(),
              TimeUnit.NANOSECONDS);
      abandon =
          timer.schedule(
              () -> {
                if (state.compareAndSet(INTERRUPTED, ABANDONED)) {
                  onStuck.run();
                }
              },
              timeout.plus(grace(timeout)).toNanos(),
              TimeUnit.NANOSECONDS);
    }

    /**
     * Ends the watch; call it on the watched thread when the try returns or throws.
     *
     * @return whether the try ran past its timeout
     */
    boolean done() {
      int last = state.getAndSet(DONE);
      interrupt.cancel(/* mayInterruptIfRunning= */ false);
      abandon.cancel(/* mayInterruptIfRunning= */ false);
      if (last == INTERRUPTED || last == ABANDONED) {
        Thread.interrupted(); // the interrupt was ours, not a request to stop the worker
        return true;
      }
      return false;
    }
  }

  Watch watch(Thread thread, Duration timeout, Runnable onStuck) {
    return new Watch(thread, timeout, onStuck);
  }
}
