package dev.crew.client.job;

import dev.crew.common.TaskChunk;
import java.io.IOException;
import java.util.Optional;

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

  /**
   * A digest of the whole input (see {@link InputDigest}), if it is known yet: it tells a
   * resubmission of the same {@code --job-id} with the same input from one with another.
   */
  default Optional<String> digest() {
    return Optional.empty();
  }

  /**
   * Reads the rest of the input without handing it out, for its digest.
   *
   * @return the digest of the whole input
   * @throws UnsupportedOperationException if this input has no digest
   */
  default String readToEnd() throws IOException {
    throw new UnsupportedOperationException("no digest of this input");
  }

  @Override
  void close() throws IOException;
}
