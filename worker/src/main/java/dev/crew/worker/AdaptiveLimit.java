package dev.crew.worker;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.limit.VegasLimit;
import com.netflix.concurrency.limits.limit.WindowedLimit;
import com.netflix.concurrency.limits.limit.window.AverageSampleWindowFactory;
import java.util.concurrent.TimeUnit;

/**
 * The control law of {@code --io-concurrency auto}: concurrency-limits' Vegas limit, fed the
 * average round trip of windows of items rather than each item, so one slow item does not move it.
 *
 * <p>Vegas estimates the queue the lane builds at whoever it calls as {@code limit * (1 - minRtt /
 * rtt)}. While that stays under a twentieth of the limit it raises the limit by a tenth a window;
 * above a tenth it lowers it by a tenth; an item that timed out or was refused with 429/503 cuts it
 * by a tenth. Against a server that serves C at once and queues the rest the queue is {@code limit
 * - C}, so it settles a little above C; against one that never queues it grows until the worker
 * itself becomes the bottleneck (its round trips climb) or the ceiling stops it.
 */
final class AdaptiveLimit {
  /**
   * Where the limit starts: high enough that a fast server is not kept waiting while it grows, low
   * enough that a small one is not flooded for long (it comes down within a few windows).
   */
  static final int INITIAL = 100;

  private AdaptiveLimit() {}

  /** A fresh limit that never proposes more than {@code ceiling}. */
  static Limit create(int ceiling) {
    VegasLimit vegas =
        VegasLimit.newBuilder()
            .initialLimit(Math.min(INITIAL, ceiling))
            .maxConcurrency(ceiling)
            .thresholdFunction(limit -> Math.max(1, limit / 40))
            .alphaFunction(limit -> Math.max(3, limit / 20))
            .betaFunction(limit -> Math.max(5, limit / 10))
            .increaseFunction(limit -> limit + Math.max(1, limit / 10))
            .decreaseFunction(limit -> Math.max(1, limit * 0.9))
            .build();
    return WindowedLimit.newBuilder()
        .sampleWindowFactory(AverageSampleWindowFactory.create())
        .minWindowTime(100, TimeUnit.MILLISECONDS)
        .maxWindowTime(500, TimeUnit.MILLISECONDS)
        .windowSize(10)
        .build(vegas);
  }
}
