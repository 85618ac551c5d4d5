package dev.crew.coordinator.job;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.crew.common.TaskResult;
import java.io.IOException;
import java.io.Writer;

/**
 * Writes one JSON line per item: {@code {"index": i, "item": ..., "result": ..., "worker": ...}},
 * with {@code "error"} in place of {@code "result"} for an item that failed.
 */
public final class JsonLinesOutput implements ResultHandler {
  private final JsonGenerator json;
  private final boolean failedOnly;

  public JsonLinesOutput(Writer out) throws IOException {
    this(out, /* failedOnly= */ false);
  }

  /**
   * @param failedOnly write only the items that failed
   */
  public JsonLinesOutput(Writer out, boolean failedOnly) throws IOException {
    this.json = new JsonFactory().createGenerator(out);
    this.failedOnly = failedOnly;
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
        json.writeRawValue(result.values()[i]);
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
}
