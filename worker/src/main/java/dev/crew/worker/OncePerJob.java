package dev.crew.worker;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which jobs a refusal was already reported for, so each is logged once. Bounded: past {@code
 * limit} jobs (a flood of planted ids) it starts afresh and reports them again.
 */
final class OncePerJob {
  private final int limit;
  private final Set<String> reported = ConcurrentHashMap.newKeySet();

  OncePerJob(int limit) {
    this.limit = limit;
  }

  /** Whether {@code jobId} is reported now for the first time. */
  boolean first(String jobId) {
    if (reported.size() >= limit) {
      reported.clear();
    }
    return reported.add(jobId);
  }
}
