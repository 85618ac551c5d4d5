package dev.crew.client.job;

import dev.crew.common.TaskChunk;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Items a program hands over as an {@link Iterator} (of a collection or a {@code Stream}), read
 * lazily as tasks are stored, so an input larger than memory can be streamed in.
 */
public final class IteratorSource implements ItemSource {
  private final Iterator<String> items;
  private final long total;
  private final AutoCloseable onClose;
  private long read;

  /**
   * @param total the number of items, or -1 if unknown
   * @param onClose closes what the items come from (a stream's resources)
   */
  public IteratorSource(Iterator<String> items, long total, AutoCloseable onClose) {
    this.items = items;
    this.total = total;
    this.onClose = onClose;
  }

  @Override
  public long total() {
    return total;
  }

  /**
   * @throws IllegalArgumentException for an item that is null or longer than an input line may be
   */
  @Override
  public TaskChunk next(String jobId, long seq, int max) {
    if (!items.hasNext()) {
      return null;
    }
    long first = read;
    List<String> chunk = new ArrayList<>(Math.min(max, 1_024));
    while (chunk.size() < max && items.hasNext()) {
      String item = items.next();
      if (item == null) {
        throw new IllegalArgumentException("item " + read + " is null");
      }
      // A char is at most 3 bytes of UTF-8: only a long item needs counting.
      if ((long) item.length() * 3 > LineDecoder.MAX_LINE_BYTES
          && item.getBytes(StandardCharsets.UTF_8).length > LineDecoder.MAX_LINE_BYTES) {
        throw new IllegalArgumentException(
            "item " + read + " is longer than " + LineDecoder.MAX_LINE_BYTES + " bytes");
      }
      chunk.add(item);
      read++;
    }
    return TaskChunk.ofItems(jobId, seq, first, chunk.toArray(String[]::new));
  }

  @Override
  public long read() {
    return read;
  }

  @Override
  public void close() throws IOException {
    try {
      onClose.close();
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException(e.getMessage(), e);
    }
  }
}
