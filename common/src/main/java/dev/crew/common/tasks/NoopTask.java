package dev.crew.common.tasks;

import dev.crew.common.ItemFunction;
import dev.crew.common.Lane;
import dev.crew.common.Params;
import dev.crew.common.Task;

/** Returns its item, as a number when it is one: for measuring Crew's own overhead. */
public final class NoopTask implements Task {

  @Override
  public String name() {
    return "noop";
  }

  @Override
  public Lane lane() {
    return Lane.CPU;
  }

  @Override
  public String description() {
    return "returns the item (a number stays a number); measures overhead";
  }

  @Override
  public ItemFunction bind(Params params) {
    params.allowOnly(name());
    return NoopTask::echo;
  }

  static Object echo(String item) {
    int length = item.length();
    if (length == 0 || length > 18) {
      return item;
    }
    int i = item.charAt(0) == '-' ? 1 : 0;
    if (i == length || (item.charAt(i) == '0' && length > i + 1)) {
      return item; // "-" alone, or a leading zero as in "007": text, not a number
    }
    for (int k = i; k < length; k++) {
      char c = item.charAt(k);
      if (c < '0' || c > '9') {
        return item;
      }
    }
    return Long.parseLong(item);
  }
}
