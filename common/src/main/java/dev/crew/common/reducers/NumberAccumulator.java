package dev.crew.common.reducers;

import dev.crew.common.Reducer;
import java.math.BigDecimal;

/** An accumulator of exact numbers: a value that is not a JSON number is left out. */
abstract class NumberAccumulator implements Reducer.Accumulator {

  @Override
  public final boolean add(String json) {
    BigDecimal number;
    try {
      number = new BigDecimal(json);
    } catch (NumberFormatException e) {
      return false;
    }
    return take(number);
  }

  /** Folds in one number; false if it cannot be used after all, like a non-number. */
  abstract boolean take(BigDecimal number);
}
