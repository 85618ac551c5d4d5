package dev.crew.coordinator.job;

import dev.crew.common.TaskChunk;
import java.io.IOException;

/**
 * A job's input, read as a stream and cut into chunks as it goes, so a huge input never sits in
 * memory.
 */
public interface ItemSource extends AutoCloseable {

  /** Items in the whole input, or -1 if they are only known once it has been read. */
  long total();

  /**
   * The next chunk of at most {@code max} items, numbered {@code seq}, or {@code null} at the end
   * of input.
   */
  TaskChunk next(String jobId, long seq, int max) throws IOException;

  /** Items handed out so far. */
  long read();

  @Override
  void close() throws IOException;
}
