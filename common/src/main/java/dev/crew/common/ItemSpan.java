package dev.crew.common;

import org.jspecify.annotations.Nullable;

/**
 * A run of consecutive input items: either explicit lines, or a range of integers kept as its start
 * alone so that a range of millions costs nothing to queue.
 */
public interface ItemSpan {

  /** The 0-based position of the first item in the job's input. */
  long firstIndex();

  int count();

  /** The first integer when the items are a range; unused otherwise. */
  long rangeStart();

  /**
   * The items as text, or {@code null} when they are the range {@code rangeStart .. rangeStart +
   * count - 1}.
   */
  String @Nullable [] items();

  default boolean isRange() {
    return items() == null;
  }

  default String item(int i) {
    String[] items = items();
    return items == null ? Long.toString(rangeStart() + i) : items[i];
  }

  static void check(long firstIndex, int count, String @Nullable [] items) {
    if (firstIndex < 0 || count < 0) {
      throw new IllegalArgumentException("firstIndex and count must not be negative");
    }
    if (items != null && items.length != count) {
      throw new IllegalArgumentException("count " + count + " but " + items.length + " items");
    }
  }
}
