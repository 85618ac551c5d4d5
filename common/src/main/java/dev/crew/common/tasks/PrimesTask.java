package dev.crew.common.tasks;

import dev.crew.common.ItemFunction;
import dev.crew.common.Lane;
import dev.crew.common.Params;
import dev.crew.common.Task;
import java.util.Arrays;

/**
 * Counts the primes {@code <= n} with a segmented sieve of Eratosthenes, in memory that does not
 * grow with n.
 */
public final class PrimesTask implements Task {
  static final long MAX_N = 100_000_000_000L;
  private static final int SEGMENT = 1 << 16;

  @Override
  public String name() {
    return "primes";
  }

  @Override
  public Lane lane() {
    return Lane.CPU;
  }

  @Override
  public String description() {
    return "count of primes <= n, segmented sieve (item: n)";
  }

  @Override
  public ItemFunction bind(Params params) {
    params.allowOnly(name());
    return item -> countPrimes(Items.nonNegative(item, MAX_N));
  }

  static long countPrimes(long n) {
    if (n < 2) {
      return 0;
    }
    int root = (int) Math.sqrt((double) n);
    while ((long) (root + 1) * (root + 1) <= n) {
      root++;
    }
    boolean[] composite = new boolean[root + 1];
    int[] basePrimes = new int[root + 1];
    int baseCount = 0;
    for (int i = 2; i <= root; i++) {
      if (!composite[i]) {
        basePrimes[baseCount++] = i;
        for (long j = (long) i * i; j <= root; j += i) {
          composite[(int) j] = true;
        }
      }
    }
    long count = 0;
    boolean[] segment = new boolean[SEGMENT];
    for (long low = 2; low <= n; low += SEGMENT) {
      long high = Math.min(n, low + SEGMENT - 1);
      Arrays.fill(segment, false);
      for (int k = 0; k < baseCount; k++) {
        long p = basePrimes[k];
        if (p * p > high) {
          break;
        }
        long first = Math.max(p * p, ((low + p - 1) / p) * p);
        for (long j = first; j <= high; j += p) {
          segment[(int) (j - low)] = true;
        }
      }
      for (long i = low; i <= high; i++) {
        if (!segment[(int) (i - low)]) {
          count++;
        }
      }
    }
    return count;
  }
}
