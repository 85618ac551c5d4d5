package dev.crew.worker;

import java.time.Duration;

/**
 * How a job's items are run: how often an item that fails is tried again, and how long one try may
 * take.
 *
 * @param timeout per try; {@link Duration#ZERO} for no limit
 */
record ItemPolicy(int retries, Duration timeout) {
  static final ItemPolicy ONCE = new ItemPolicy(0, Duration.ZERO);

  ItemPolicy {
    if (retries < 0 || timeout.isNegative()) {
      throw new IllegalArgumentException("retries and timeout must not be negative");
    }
  }

  boolean limited() {
    return !timeout.isZero();
  }
}
