package dev.crew.common.reducers;

import dev.crew.common.Reducer;
import java.math.BigDecimal;

/** {@code sum}: the exact sum of the numbers, 0 when there are none. */
public final class SumReducer implements Reducer {

  @Override
  public String name() {
    return "sum";
  }

  @Override
  public String description() {
    return "the exact sum of the numeric results (0 when there are none)";
  }

  @Override
  public Accumulator start() {
    return new NumberAccumulator() {
      private BigDecimal sum = BigDecimal.ZERO;

      @Override
      boolean take(BigDecimal number) {
        sum = sum.add(number);
        return true;
      }

      @Override
      public String result() {
        return sum.toPlainString();
      }
    };
  }
}
