package dev.crew.worker;

import dev.crew.common.TaskResult;

/** Where a worker records the outcome of each task it ran. */
interface ResultSink {

  /**
   * Records {@code result} unless the same task already has one; never blocks on the network for
   * long.
   */
  void record(TaskResult result) throws InterruptedException;
}
