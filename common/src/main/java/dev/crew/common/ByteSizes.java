package dev.crew.common;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the sizes users type: {@code 512KiB}, {@code 64MiB}, {@code 2GiB} (also {@code k}, {@code
 * M}, {@code G}: powers of 1024), or a plain number of bytes.
 */
public final class ByteSizes {
  private static final Pattern FORMAT =
      Pattern.compile("(\\d{1,15})\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?", Pattern.CASE_INSENSITIVE);

  private ByteSizes() {}

  public static long parse(String text, String what) {
    Matcher m = FORMAT.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          what + " '" + text + "' is not a size (e.g. 512KiB, 64MiB, 2GiB)");
    }
    long amount = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
    int shift =
        switch (unit.charAt(0)) {
          case 'k' -> 10;
          case 'm' -> 20;
          case 'g' -> 30;
          default -> 0;
        };
    if (amount > (Long.MAX_VALUE >> shift)) {
      throw new IllegalArgumentException(what + " '" + text + "' is too large");
    }
    return amount << shift;
  }
}
