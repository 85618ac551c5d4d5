package dev.crew.coordinator.job;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.crew.client.job.ResultHandler;
import dev.crew.common.TaskResult;
import dev.crew.common.TerminalText;
import java.io.IOException;
import java.io.Writer;

/**
 * Writes one JSON line per item: {@code {"index": i, "item": ..., "result": ..., "worker": ...}},
 * with {@code "error"} in place of {@code "result"} for an item that failed, and on request a
 * pipeline's {@code "stages"}.
 *
 * <p>Lines printed on a terminal carry no control character: JSON escapes C0 in strings, and this
 * also escapes the other characters of {@link TerminalText}, which leaves each string's value as it
 * was.
 */
public final class JsonLinesOutput implements ResultHandler {
  private final JsonGenerator json;
  private final boolean failedOnly;
  private final boolean everyStage;

  public JsonLinesOutput(Writer out) throws IOException {
    this(out, /* failedOnly= */ false);
  }

  /**
   * @param failedOnly write only the items that failed
   */
  public JsonLinesOutput(Writer out, boolean failedOnly) throws IOException {
    this(out, failedOnly, /* everyStage= */ false);
  }

  /**
   * @param everyStage for a pipeline, also write each item's value at every stage, in order, as
   *     {@code "stages": [...]} ({@code null} where it failed or did not get to)
   */
  public JsonLinesOutput(Writer out, boolean failedOnly, boolean everyStage) throws IOException {
    this.json = new JsonFactory().createGenerator(out);
    json.setCharacterEscapes(TerminalEscapes.INSTANCE);
    this.failedOnly = failedOnly;
    this.everyStage = everyStage;
    json.setRootValueSeparator(null);
  }

  @Override
  public void accept(TaskResult result) throws IOException {
    for (int i = 0; i < result.count(); i++) {
      if (failedOnly && !result.failed(i)) {
        continue;
      }
      json.writeStartObject();
      json.writeNumberField("index", result.firstIndex() + i);
      json.writeFieldName("item");
      if (result.isRange()) {
        json.writeNumber(result.rangeStart() + i);
      } else {
        json.writeString(result.items()[i]);
      }
      if (result.failed(i)) {
        json.writeStringField("error", result.errors()[i]);
      } else {
        json.writeFieldName("result");
        json.writeRawValue(rawValue(result.values()[i]));
      }
      if (everyStage && result.stage() > 0) {
        json.writeArrayFieldStart("stages");
        for (String value : result.stageValues(i)) {
          if (value == null) {
            json.writeNull();
          } else {
            json.writeRawValue(rawValue(value));
          }
        }
        json.writeEndArray();
      }
      json.writeStringField("worker", result.worker());
      json.writeEndObject();
      json.writeRaw('\n');
    }
  }

  @Override
  public void flush() throws IOException {
    json.flush();
  }

  /**
   * A result's JSON text, which comes from the cluster as it is, without control characters. In
   * valid JSON they can only be whitespace between tokens (made a space) or characters inside a
   * string other than C0 (escaped); JSON that is not valid is shown neutralised in the same way.
   */
  static String rawValue(String json) {
    StringBuilder out = null;
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (TerminalText.isControl(c)) {
        if (out == null) {
          out = new StringBuilder(json.length() + 16).append(json, 0, i);
        }
        if (c == '\t' || c == '\n' || c == '\r') {
          out.append(' ');
        } else {
          TerminalText.appendEscape(out, c);
        }
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? json : out.toString();
  }

  /** JSON's own escapes, and the control characters above ASCII's C0 that it leaves as they are. */
  private static final class TerminalEscapes extends CharacterEscapes {
    static final TerminalEscapes INSTANCE = new TerminalEscapes();

    private final int[] ascii = standardAsciiEscapesForJSON();

    private TerminalEscapes() {
      ascii[0x7f] = ESCAPE_STANDARD;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      if (ch > Character.MAX_VALUE || !TerminalText.isControl((char) ch)) {
        return null;
      }
      StringBuilder escape = new StringBuilder(6);
      TerminalText.appendEscape(escape, (char) ch);
      return new SerializedString(escape.toString());
    }
  }
}
