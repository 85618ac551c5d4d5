package dev.crew.worker;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.limit.VegasLimit;
import com.netflix.concurrency.limits.limit.WindowedLimit;
import com.netflix.concurrency.limits.limit.window.AverageSampleWindowFactory;
import java.util.concurrent.TimeUnit;

/**
 * The control law of {@code --io-concurrency auto}: concurrency-limits' Vegas limit, fed the
 * average round trip of windows of items rather than each item, so one slow item does not move it.
 * Each round trip comes as a multiple of its job's shortest ({@link LaneSlots}), so jobs of fast
 * and of slow items share one limit.
 *
 * <p>Vegas estimates the queue the lane builds at whoever it calls as {@code limit * (1 - minRtt /
 * rtt)}. While that stays under a twelfth of the limit it raises the limit by a tenth a window;
 * above a sixth it lowers it by a tenth; an item that timed out or was refused with 429/503 cuts it
 * by a tenth. Against a server that serves C at once and queues the rest the queue is {@code limit
 * - C}, so it settles between about 1.1 and 1.2 times C; against one that never queues it grows
 * until the worker itself becomes the bottleneck (its round trips climb) or the ceiling stops it.
 */
final class AdaptiveLimit {
  /**
   * Where the limit starts: under the capacity of most servers, so that Vegas sees their round trip
   * without a queue; the limit it then measures against is a queue's, and it settled at 1.6 times a
   * server's capacity of 50 when started at 100. Growing by a tenth a window, it passes 1,000
   * within about 4 s.
   */
  static final int INITIAL = 20;

  /**
   * How seldom Vegas forgets its no-load round trip, in samples per unit of limit (its default is
   * 30). When it forgets, it takes the round trip of that moment as the no-load one; against a
   * server that keeps a queue, that round trip includes the queue, which then reads as none, and
   * the limit climbed to twice the server's capacity (C = 50 settled at 90). Ten times as seldom, a
   * probe comes every few minutes at the rates the I/O lane runs.
   */
  static final int PROBE_MULTIPLIER = 300;

  private AdaptiveLimit() {}

  /**
   * A fresh limit for one key ({@link KeyLimits}: a task, or a host it calls), that never proposes
   * more than {@code ceiling}: it settles where whoever the key's items call starts to queue them.
   */
  static Limit create(int ceiling) {
    return vegas(ceiling, 12, 6);
  }

  /**
   * A fresh limit for the lane, over all its keys: a backstop for when the worker itself is the
   * bottleneck. Its thresholds are looser than a key's: while the keys hold their own queues under
   * a sixth of their limits, their round trips stay within 1.2 times their shortest, which the lane
   * reads as a queue of under a sixth of its limit and grows past; it lowers its limit when round
   * trips climb past 1.5 times their shortest (a queue of a third), which a key's limit does not
   * let happen, so this is the worker's own queue: its CPUs, or keys too new to have a limit of
   * their own (a crawl of many hosts, a few items each).
   */
  static Limit forLane(int ceiling) {
    return vegas(ceiling, 4, 3);
  }

  /**
   * Vegas as above, growing while its estimated queue is under {@code 1/alphaShare} of the limit
   * and shrinking past {@code 1/betaShare}.
   */
  private static Limit vegas(int ceiling, int alphaShare, int betaShare) {
    VegasLimit vegas =
        VegasLimit.newBuilder()
            .initialLimit(Math.min(INITIAL, ceiling))
            .maxConcurrency(ceiling)
            .thresholdFunction(limit -> Math.max(1, limit / 40))
            .alphaFunction(limit -> Math.max(3, limit / alphaShare))
            .betaFunction(limit -> Math.max(5, limit / betaShare))
            .increaseFunction(limit -> limit + Math.max(1, limit / 10))
            .decreaseFunction(limit -> Math.max(1, limit * 0.9))
            .probeMultiplier(PROBE_MULTIPLIER)
            .build();
    return WindowedLimit.newBuilder()
        .sampleWindowFactory(AverageSampleWindowFactory.create())
        .minWindowTime(100, TimeUnit.MILLISECONDS)
        .maxWindowTime(500, TimeUnit.MILLISECONDS)
        .windowSize(10)
        .build(vegas);
  }
}
