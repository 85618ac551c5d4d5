package dev.crew.common.reducers;

import dev.crew.common.Reducer;
import java.math.BigDecimal;

/** {@code max}: the greatest number, exact; {@code null} when there are none. */
public final class MaxReducer implements Reducer {

  @Override
  public String name() {
    return "max";
  }

  @Override
  public String description() {
    return "the greatest numeric result, exact (null when there are none)";
  }

  @Override
  public Accumulator start() {
    return new Extreme(BigDecimal::max);
  }
}
