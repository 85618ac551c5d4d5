package dev.crew.common.reducers;

import dev.crew.common.Reducer;
import java.math.BigDecimal;

/** {@code min}: the least number, exact; {@code null} when there are none. */
public final class MinReducer implements Reducer {

  @Override
  public String name() {
    return "min";
  }

  @Override
  public String description() {
    return "the least numeric result, exact (null when there are none)";
  }

  @Override
  public Accumulator start() {
    return new Extreme(BigDecimal::min);
  }
}
