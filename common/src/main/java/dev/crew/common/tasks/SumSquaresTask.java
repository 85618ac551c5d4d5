package dev.crew.common.tasks;

import dev.crew.common.ItemFunction;
import dev.crew.common.Lane;
import dev.crew.common.Params;
import dev.crew.common.Task;
import java.math.BigInteger;

/** The classic CPU loop: the sum of {@code i*i} for {@code 0 <= i < n}, exact however large. */
public final class SumSquaresTask implements Task {
  static final long MAX_N = 3_000_000_000L;
  /** Terms per block: a block's sum stays below 2^63 for every i < MAX_N, so the inner loop is plain longs. */
  private static final long BLOCK = 1 << 16;

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

  static BigInteger sumSquares(long n) {
    BigInteger total = BigInteger.ZERO;
    for (long start = 0; start < n; start += BLOCK) {
      long end = Math.min(n, start + BLOCK);
      long block = 0;
      for (long i = start; i < end; i++) {
        block += i * i;
      }
      total = total.add(BigInteger.valueOf(block));
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted");
      }
    }
    return total;
  }
}
