package dev.crew.common;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.jspecify.annotations.Nullable;

/** Renders a task's result as JSON text, the form results travel and are stored in. */
public final class ResultJson {
  /**
   * Results are rendered on the thread that ran the item, on the I/O lane a new virtual thread per
   * item. Jackson's default pool of buffers is per thread, so there each rendering allocated fresh
   * buffers (16 KB of char arrays, most of what an http-get item allocated); a pool shared by all
   * threads hands the same few buffers round.
   */
  private static final ObjectMapper MAPPER =
      JsonMapper.builder(
              JsonFactory.builder().recyclerPool(JsonRecyclerPools.newBoundedPool(64)).build())
          .build();

  private ResultJson() {}

  /**
   * An integer already written as JSON: rendered as it is, without parsing it to a number and
   * printing it back (what a task that passes numbers through, such as {@code noop}, would
   * otherwise spend most of its time on).
   *
   * @param text an optional {@code -} and 1 to 18 digits, without leading zeros
   */
  public record IntegerText(String text) {
    public IntegerText {
      if (!isCanonical(text)) {
        throw new IllegalArgumentException("not an integer in canonical form: " + text);
      }
    }

    /** {@code text} as an integer, or null when it is not one in canonical form. */
    public static @Nullable IntegerText parse(String text) {
      return isCanonical(text) ? new IntegerText(text) : null;
    }

    private static boolean isCanonical(String text) {
      int length = text.length();
      int i = length > 0 && text.charAt(0) == '-' ? 1 : 0;
      if (length == i || length - i > 18) {
        return false;
      }
      if (text.charAt(i) == '0') {
        return length == 1; // "0"; not "-0" or "007"
      }
      for (int k = i; k < length; k++) {
        char c = text.charAt(k);
        if (c < '0' || c > '9') {
          return false;
        }
      }
      return true;
    }
  }

  public static String render(@Nullable Object value) {
    // The common shapes skip the mapper: most tasks return a number or a string, and this is the
    // hot path.
    if (value == null) {
      return "null";
    }
    if (value instanceof IntegerText integer) {
      return integer.text();
    }
    if (value instanceof Long
        || value instanceof Integer
        || value instanceof java.math.BigInteger) {
      return value.toString();
    }
    if (value instanceof String text) {
      return quote(text);
    }
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "result of type " + value.getClass().getName() + " is not JSON: " + e);
    }
  }

  /**
   * A result as the next stage of a pipeline takes it as its item: a JSON string's text, without
   * quotes or escapes; any other value (a number, an object) as its JSON text.
   */
  public static String asItem(String json) {
    if (json.length() < 2 || json.charAt(0) != '"') {
      return json;
    }
    if (json.indexOf('\\') < 0) {
      return json.substring(1, json.length() - 1);
    }
    try {
      return MAPPER.readValue(json, String.class);
    } catch (JsonProcessingException e) {
      return json; // not a JSON string after all: handed on as it was
    }
  }

  /** A JSON string literal of {@code text}, quotes included. */
  public static String quote(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2).append('"');
    JsonStringEncoder.getInstance().quoteAsString(text, out);
    return out.append('"').toString();
  }
}
