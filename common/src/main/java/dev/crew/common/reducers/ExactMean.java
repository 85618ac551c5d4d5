package dev.crew.common.reducers;

import java.math.BigDecimal;
import java.math.MathContext;

/** An exact running sum and count of numbers, and their mean. */
final class ExactMean {
  private BigDecimal sum = BigDecimal.ZERO;
  private long count;

  void add(BigDecimal number) {
    sum = sum.add(number);
    count++;
  }

  long count() {
    return count;
  }

  /**
   * The mean as JSON: exact when the quotient ends (1.5, 50.5), else rounded to 34 significant
   * digits ({@link MathContext#DECIMAL128}, what a quad-precision decimal holds); {@code null} when
   * no number came.
   */
  String json() {
    if (count == 0) {
      return "null";
    }
    BigDecimal divisor = BigDecimal.valueOf(count);
    BigDecimal mean;
    try {
      mean = sum.divide(divisor);
    } catch (ArithmeticException endless) {
      mean = sum.divide(divisor, MathContext.DECIMAL128);
    }
    return mean.toPlainString();
  }
}
