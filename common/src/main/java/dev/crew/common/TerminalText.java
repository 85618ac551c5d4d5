package dev.crew.common;

/**
 * Text from the cluster made safe to print on a terminal. Ids, task names, items, errors and worker
 * names can be written by anyone who reaches the cluster's port, and a terminal acts on the control
 * characters in what it prints: an escape sequence can retitle the window, clear or rewrite what is
 * on screen or, on some terminals, answer back as if typed; a carriage return or a newline can
 * forge a line. So every control character is shown as a visible {@code \}{@code uXXXX} escape
 * instead: C0 (newline and tab included: a value is never more than one line), DEL, C1, and the
 * bidirectional embeddings, overrides and isolates that reorder what is shown. The escape has the
 * form of a JSON one, so inside a JSON string it stands for the character it replaced.
 */
public final class TerminalText {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private TerminalText() {}

  /** {@code text} with each control character shown as an escape; {@code text} itself if none. */
  public static String of(String text) {
    int first = firstControl(text);
    if (first < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, first);
    for (int i = first; i < text.length(); i++) {
      char c = text.charAt(i);
      if (isControl(c)) {
        appendEscape(out, c);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** {@link #of(String)} of {@code value}'s text; "null" for null, as printing it would show. */
  public static String of(Object value) {
    return of(String.valueOf(value));
  }

  /** True for the characters {@link #of(String)} escapes. */
  public static boolean isControl(char c) {
    return c < 0x20
        || (c >= 0x7f && c <= 0x9f)
        || (c >= '\u202a' && c <= '\u202e')
        || (c >= '\u2066' && c <= '\u2069');
  }

  /** Appends the six-character escape of {@code c}: a backslash, {@code u} and four hex digits. */
  public static void appendEscape(StringBuilder out, char c) {
    out.append('\\')
        .append('u')
        .append(HEX[(c >> 12) & 0xf])
        .append(HEX[(c >> 8) & 0xf])
        .append(HEX[(c >> 4) & 0xf])
        .append(HEX[c & 0xf]);
  }

  private static int firstControl(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (isControl(text.charAt(i))) {
        return i;
      }
    }
    return -1;
  }
}
