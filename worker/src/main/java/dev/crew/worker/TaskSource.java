package dev.crew.worker;

import dev.crew.common.TaskChunk;
import java.time.Duration;
import java.util.List;

/** Where a lane takes its tasks from. */
interface TaskSource {

  /**
   * Takes up to {@code max} tasks, waiting up to {@code wait} for the first one.
   *
   * @return the tasks taken, empty if none arrived in time
   */
  List<TaskChunk> take(int max, Duration wait) throws InterruptedException;
}
