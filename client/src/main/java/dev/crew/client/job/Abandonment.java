package dev.crew.client.job;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.ringbuffer.OverflowPolicy;
import dev.crew.common.CrewEvent;
import dev.crew.common.Job;
import dev.crew.common.JobState;
import dev.crew.common.Names;
import dev.crew.common.Redo;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Ends a job whose coordinator gives up while it is still queuing the input (refused input, an
 * error, Ctrl-C): the job becomes {@link JobState#ABANDONED} instead of staying "submitting"
 * forever, and an event in the cluster's log says why.
 */
public final class Abandonment {
  /** Long enough for a live cluster; a coordinator that lost it must not hang on its way out. */
  private static final Duration WAIT = Duration.ofSeconds(3);

  private static final TimeUnit NANOS = TimeUnit.NANOSECONDS;

  private final HazelcastInstance hazelcast;
  private final String jobId;

  public Abandonment(HazelcastInstance hazelcast, String jobId) {
    this.hazelcast = hazelcast;
    this.jobId = jobId;
  }

  /**
   * Marks the job abandoned if it is still being submitted.
   *
   * @return whether it was: false if it had all its input queued, ended otherwise, or the cluster
   *     did not answer
   */
  public boolean abandon(String reason) {
    IMap<String, Job> jobs = hazelcast.getMap(Names.JOBS);
    long deadline = System.nanoTime() + WAIT.toNanos();
    Job written = null; // a write whose outcome was left open: the next read tells
    try {
      while (System.nanoTime() < deadline) {
        Job current = jobs.getAsync(jobId).toCompletableFuture().get(left(deadline), NANOS);
        if (current != null && current.equals(written)) {
          return announce(reason);
        }
        if (current == null || current.state() != JobState.SUBMITTING) {
          return false;
        }
        Job abandoned = current.withState(JobState.ABANDONED);
        try {
          if (jobs.replace(jobId, current, abandoned)) {
            return announce(reason);
          }
        } catch (RuntimeException e) {
          if (!Redo.worthRedoing(e)) {
            throw e;
          }
          written = abandoned;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      // The cluster is gone or does not answer: nothing more to do on the way out.
    }
    return false;
  }

  private boolean announce(String reason) {
    hazelcast
        .getRingbuffer(Names.EVENTS)
        .addAsync(
            new CrewEvent(
                System.currentTimeMillis(),
                "coordinator",
                CrewEvent.Kind.ABANDONED,
                "job " + jobId + ": " + reason,
                1),
            OverflowPolicy.OVERWRITE);
    return true;
  }

  private static long left(long deadline) {
    return Math.max(1, deadline - System.nanoTime());
  }
}
