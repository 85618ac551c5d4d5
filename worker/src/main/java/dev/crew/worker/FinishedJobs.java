package dev.crew.worker;

import dev.crew.common.Job;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * What keeps a replayed job from running again: the jobs this worker saw end, and an age past which
 * no job runs at all. A job record and its tasks, captured off the network while the job ran and
 * put back after it ended, carry valid signatures and seals; only this memory tells them apart.
 *
 * <p>A worker started after the job ended has no memory of it, so the age bounds how long a replay
 * can work at all: a job's creation time is signed, so it cannot be made younger.
 */
final class FinishedJobs {
  /** No job older than this runs: longer than any job should take, and how long ends are kept. */
  static final Duration MAX_JOB_AGE = Duration.ofDays(7);

  /** Ends remembered, newest kept: far more jobs than end within {@link #MAX_JOB_AGE} here. */
  static final int REMEMBERED = 100_000;

  private final LongSupplier clockMillis;
  private final Map<String, Long> ended =
      Collections.synchronizedMap(
          new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
              return size() > REMEMBERED;
            }
          });

  FinishedJobs(LongSupplier clockMillis) {
    this.clockMillis = clockMillis;
  }

  /**
   * Job {@code jobId} ended (done, cancelled, refused or abandoned), as its verified record says.
   */
  void ended(String jobId) {
    ended.putIfAbsent(jobId, clockMillis.getAsLong());
  }

  /** Why {@code job}'s tasks must not run here, if it ended before or is too old to be running. */
  Optional<String> replay(Job job) {
    if (ended.containsKey(job.id())) {
      return Optional.of("job " + job.id() + " ended before: its tasks put back now are a replay");
    }
    long age = clockMillis.getAsLong() - job.createdMillis();
    if (age > MAX_JOB_AGE.toMillis()) {
      return Optional.of(
          "job "
              + job.id()
              + " was created "
              + Duration.ofMillis(age).toDays()
              + " days ago, more than the "
              + MAX_JOB_AGE.toDays()
              + " any job may run: a replay");
    }
    return Optional.empty();
  }
}
