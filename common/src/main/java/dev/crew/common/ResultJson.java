package dev.crew.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.jspecify.annotations.Nullable;

/** Renders a task's result as JSON text, the form results travel and are stored in. */
public final class ResultJson {
  private static final ObjectMapper MAPPER = JsonMapper.builder().build();

  private ResultJson() {}

  public static String render(@Nullable Object value) {
    // The common shapes skip the mapper: most tasks return a number or a string, and this is the
    // hot path.
    if (value == null) {
      return "null";
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

  /** A JSON string literal of {@code text}, quotes included. */
  public static String quote(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2).append('"');
    JsonStringEncoder.getInstance().quoteAsString(text, out);
    return out.append('"').toString();
  }
}
