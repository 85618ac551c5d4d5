package dev.crew.common;

import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A task bound to its parameters: turns one input item into one result.
 *
 * <p>The result is rendered as JSON: numbers, strings, booleans, maps, lists and records all work.
 * Throwing records an error against this item only, after the job's retries; {@link
 * IllegalArgumentException} is the way to say "bad item" in one line, and is not retried (a bad
 * item stays bad).
 */
@FunctionalInterface
public interface ItemFunction {
  Object apply(String item) throws Exception;

  /**
   * What an item is limited as, besides the worker, on an I/O lane whose limit adapts ({@code
   * --io-concurrency auto}): items of one key share a concurrency limit of their own, which adapts
   * to their round trips alone, so a slow or overloaded target holds back only its own items. Null
   * (the default) limits the item as its task: one limit per task name. {@code http-get} keys its
   * items by target host, so each host it calls gets its own limit.
   *
   * <p>Called once per item before it runs; must be cheap and must not throw (an item it cannot key
   * is better limited as its task, and fails when it runs).
   */
  default @Nullable String limitKey(String item) {
    return null;
  }

  /** {@code function}, with items limited under the keys {@code keyOf} gives. */
  static ItemFunction keyed(ItemFunction function, Function<String, @Nullable String> keyOf) {
    return new ItemFunction() {
      @Override
      public Object apply(String item) throws Exception {
        return function.apply(item);
      }

      @Override
      public @Nullable String limitKey(String item) {
        return keyOf.apply(item);
      }
    };
  }
}
