package dev.crew.common.tasks;

import dev.crew.common.ItemFunction;
import dev.crew.common.Lane;
import dev.crew.common.Params;
import dev.crew.common.Task;
import java.math.BigInteger;

/** The classic CPU loop: the sum of {@code i*i} for {@code 0 <= i < n}, exact however large. */
public final class SumSquaresTask implements Task {
  /**
   * Below this every i*i fits in a signed long, so the loop needs no multiplication overflow check.
   */
  static final long MAX_N = 3_000_000_000L;

  @Override
  public String name() {
    return "sum-squares";
  }

  @Override
  public Lane lane() {
    return Lane.CPU;
  }

  @Override
  public String description() {
    return "sum of i*i for 0 <= i < n, exact (item: n)";
  }

  @Override
  public ItemFunction bind(Params params) {
    params.allowOnly(name());
    return item -> sumSquares(Items.nonNegative(item, MAX_N));
  }

  /**
   * A 128-bit sum kept in two longs: the inner loop stays on primitives, BigInteger is built once
   * at the end.
   */
  static BigInteger sumSquares(long n) {
    long low = 0;
    long high = 0;
    for (long i = 0; i < n; i++) {
      long square = i * i;
      low += square;
      if (Long.compareUnsigned(low, square) < 0) {
        high++;
      }
      if ((i & 0xFFFFF) == 0 && Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted");
      }
    }
    return BigInteger.valueOf(high).shiftLeft(64).add(new BigInteger(Long.toUnsignedString(low)));
  }
}
