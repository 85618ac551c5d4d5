package dev.crew.common.reducers;

import java.math.BigDecimal;
import java.util.function.BinaryOperator;
import org.jspecify.annotations.Nullable;

/** The least or the greatest number so far, exact: {@code min} and {@code max}. */
final class Extreme extends NumberAccumulator {
  private final BinaryOperator<BigDecimal> pick;
  private @Nullable BigDecimal value;

  /** Keeps what {@code pick} ({@link BigDecimal#min} or {@link BigDecimal#max}) keeps. */
  Extreme(BinaryOperator<BigDecimal> pick) {
    this.pick = pick;
  }

  @Override
  boolean take(BigDecimal number) {
    value = value == null ? number : pick.apply(value, number);
    return true;
  }

  /** {@code null} when no number came. */
  @Override
  public String result() {
    return value == null ? "null" : value.toPlainString();
  }
}
