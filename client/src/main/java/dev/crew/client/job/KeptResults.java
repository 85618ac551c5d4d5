package dev.crew.client.job;

import dev.crew.common.TaskResult;

/**
 * Which delivered results stay stored for a later {@code coordinator results}: the first ones
 * delivered, up to a number of bytes; the others are replaced by their counts once delivered, so a
 * job that keeps its results still cannot fill its budget with them and pause for good.
 */
public final class KeptResults {
  private final long limitBytes;
  private long keptBytes;

  /**
   * @param limitBytes bytes of results to keep; 0 keeps none
   */
  public KeptResults(long limitBytes) {
    if (limitBytes < 0) {
      throw new IllegalArgumentException("a keep limit must not be negative: " + limitBytes);
    }
    this.limitBytes = limitBytes;
  }

  /** Whether {@code result}, just delivered, stays stored; counts it if so. */
  public boolean keep(TaskResult result) {
    long bytes = result.heldBytes();
    if (bytes == 0 || keptBytes + bytes > limitBytes) {
      return false;
    }
    keptBytes += bytes;
    return true;
  }

  public long keptBytes() {
    return keptBytes;
  }
}
