package dev.crew.common.tasks;

import dev.crew.common.ItemFunction;
import dev.crew.common.Lane;
import dev.crew.common.Params;
import dev.crew.common.ResultJson;
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
    // An integer in canonical form is its own JSON: passed on as it is, not parsed and printed.
    ResultJson.IntegerText integer = ResultJson.IntegerText.parse(item);
    if (integer != null) {
      return integer;
    }
    return item.equals("-0") ? (Object) 0L : item; // the one integer written otherwise in JSON
  }
}
