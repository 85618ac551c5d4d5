package dev.crew.common.ledger;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** A wall clock in millis that moves only when a test moves it. */
final class ManualClock implements LongSupplier {
  private final AtomicLong millis = new AtomicLong(1_000_000);

  @Override
  public long getAsLong() {
    return millis.get();
  }

  void advance(Duration by) {
    millis.addAndGet(by.toMillis());
  }
}
