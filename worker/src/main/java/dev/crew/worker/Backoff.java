package dev.crew.worker;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Waits between tries of a failing item: exponential from {@code base}, capped, with full jitter (a
 * random wait between half and all of the exponential step), so items that failed together do not
 * retry together.
 */
record Backoff(Duration base, Duration cap, RandomGenerator random) {
  static final Backoff DEFAULT =
      new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), RandomGenerator.getDefault());

  /** The wait before try number {@code attempt} (1 for the first retry). */
  Duration delay(int attempt) {
    long step = base.toMillis() << Math.min(attempt - 1, 20);
    long capped = Math.min(cap.toMillis(), step);
    return Duration.ofMillis(capped / 2 + random.nextLong(capped / 2 + 1));
  }
}
