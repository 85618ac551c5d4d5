package dev.crew.common.reducers;

import dev.crew.common.Reducer;
import java.math.BigDecimal;

/** {@code mean}: the numbers' arithmetic mean, exact when it can be written out. */
public final class MeanReducer implements Reducer {

  @Override
  public String name() {
    return "mean";
  }

  @Override
  public String description() {
    return "the mean of the numeric results: exact, or to 34 digits (null when there are none)";
  }

  @Override
  public Accumulator start() {
    ExactMean mean = new ExactMean();
    return new NumberAccumulator() {
      @Override
      boolean take(BigDecimal number) {
        mean.add(number);
        return true;
      }

      @Override
      public String result() {
        return mean.json();
      }
    };
  }
}
