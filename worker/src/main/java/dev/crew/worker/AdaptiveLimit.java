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
 * rtt)}: while that stays under a few percent of the limit it raises the limit (by a fifth while
 * there is no queue at all, so it reaches thousands within seconds), above a tenth it lowers it,
 * and an item that timed out or was refused with 429/503 cuts it by a tenth. Against a server that
 * serves C at once and queues the rest the queue is {@code limit - C}, so it settles a little above
 * C; against one that never queues it grows until the worker itself becomes the bottleneck or the
 * ceiling stops it.
 */
final class AdaptiveLimit {
  /** Where the limit starts: a few dozen in flight, low enough not to flood a small server. */
  static final int INITIAL = 20;

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
