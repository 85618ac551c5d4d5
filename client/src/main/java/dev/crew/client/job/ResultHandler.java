package dev.crew.client.job;

import dev.crew.common.TaskResult;
import java.io.IOException;

/**
 * What the coordinator does with each task's results as they arrive: write them, or fold them into
 * a reduction.
 */
public interface ResultHandler {

  void accept(TaskResult result) throws IOException;

  /** Task {@code seq}'s results were delivered elsewhere and will not come here. */
  default void skip(long seq) throws IOException {}

  /** Makes what was accepted so far visible (called when no more results are waiting). */
  default void flush() throws IOException {}
}
