package dev.crew.client.job;

import java.time.Duration;

/**
 * How long a reader that found nothing waits before it looks again: doubling from a short first
 * wait up to a cap, and back to the first once something comes, so an idle reader costs the cluster
 * little and a busy one loses little time.
 */
final class IdleBackoff {
  private final long firstNanos;
  private final long capNanos;
  private long nextNanos;

  IdleBackoff(Duration first, Duration cap) {
    if (first.isNegative() || first.isZero() || cap.compareTo(first) < 0) {
      throw new IllegalArgumentException("need 0 < first <= cap, not " + first + " and " + cap);
    }
    this.firstNanos = first.toNanos();
    this.capNanos = cap.toNanos();
    this.nextNanos = firstNanos;
  }

  /** The wait after one more look that found nothing. */
  long nextNanos() {
    long wait = nextNanos;
    nextNanos = Math.min(capNanos, nextNanos * 2);
    return wait;
  }

  /** Something came: the next wait is the first again. */
  void reset() {
    nextNanos = firstNanos;
  }
}
