package dev.crew.common.tasks;

import dev.crew.common.ItemFunction;
import dev.crew.common.Lane;
import dev.crew.common.Params;
import dev.crew.common.Task;

/** Waits the item's number of milliseconds: a stand-in for I/O that only waits. */
public final class SleepTask implements Task {
  static final long MAX_MILLIS = 3_600_000;

  @Override
  public String name() {
    return "sleep";
  }

  @Override
  public Lane lane() {
    return Lane.IO;
  }

  @Override
  public String description() {
    return "sleep for the item's milliseconds; result: the milliseconds slept";
  }

  @Override
  public ItemFunction bind(Params params) {
    params.allowOnly(name());
    return item -> {
      long millis = Items.nonNegative(item, MAX_MILLIS);
      Thread.sleep(millis);
      return millis;
    };
  }
}
