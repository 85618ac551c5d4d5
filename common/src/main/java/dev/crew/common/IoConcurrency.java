package dev.crew.common;

import java.util.Locale;

/**
 * The values of {@code --io-concurrency}: {@code auto} (a limit that adapts, the default) or a
 * fixed number of items in flight.
 */
public final class IoConcurrency {
  /** {@code auto}, as the worker's settings hold it. */
  public static final int AUTO = 0;

  /**
   * Most items an I/O lane keeps in flight, adaptive or fixed: each holds a virtual thread and a
   * connection, so nothing a job does can run a worker out of memory or file descriptors.
   */
  public static final int CEILING = 10_000;

  private IoConcurrency() {}

  /**
   * Reads {@code auto} or a number from 1 to {@link #CEILING}.
   *
   * @throws IllegalArgumentException for anything else, in one line
   */
  public static int parse(String text) {
    String value = text.trim().toLowerCase(Locale.ROOT);
    if (value.equals("auto")) {
      return AUTO;
    }
    int n;
    try {
      n = Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "'" + text + "' is neither auto nor a number of items in flight");
    }
    if (n < 1 || n > CEILING) {
      throw new IllegalArgumentException("must be auto or between 1 and " + CEILING + ", not " + n);
    }
    return n;
  }

  /**
   * Reads the value of the {@code --io-concurrency} option.
   *
   * @throws IllegalArgumentException naming the option, in one line
   */
  public static int option(String text) {
    try {
      return parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--io-concurrency " + e.getMessage(), e);
    }
  }

  /** How a value reads: {@code auto} or the number. */
  public static String describe(int value) {
    return value == AUTO ? "auto" : Integer.toString(value);
  }
}
