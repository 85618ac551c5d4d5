package dev.crew.common.tasks;

import dev.crew.common.ItemFunction;
import dev.crew.common.Lane;
import dev.crew.common.Params;
import dev.crew.common.Task;

/**
 * The classic CPU-bound example: the n-th Fibonacci number, computed by naive recursion on purpose.
 */
public final class FibTask implements Task {
  /** fib(92) is the largest that fits in a long. */
  static final int MAX_N = 92;

  @Override
  public String name() {
    return "fib";
  }

  @Override
  public Lane lane() {
    return Lane.CPU;
  }

  @Override
  public String description() {
    return "fib(n) by naive recursion (item: n, 0.." + MAX_N + ")";
  }

  @Override
  public ItemFunction bind(Params params) {
    params.allowOnly(name());
    return item -> fib((int) Items.nonNegative(item, MAX_N));
  }

  static long fib(int n) {
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
  }
}
