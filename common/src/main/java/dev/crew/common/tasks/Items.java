package dev.crew.common.tasks;

/** Reading the built-in tasks' items, with errors that name the bad item. */
final class Items {
  private Items() {}

  static long parseLong(String item) {
    try {
      return Long.parseLong(item.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not an integer: '" + item + "'");
    }
  }

  static long nonNegative(String item, long max) {
    long n = parseLong(item);
    if (n < 0 || n > max) {
      throw new IllegalArgumentException("item " + n + " is outside 0.." + max);
    }
    return n;
  }
}
