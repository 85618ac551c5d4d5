package dev.crew.client.job;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.crew.common.Job;
import dev.crew.common.JobRecords;
import dev.crew.common.JobState;
import dev.crew.common.Names;
import dev.crew.common.Redo;
import dev.crew.common.ledger.JobTally;
import dev.crew.common.ledger.TaskLedger;
import java.util.Optional;

/**
 * Cancels a job: no task of it starts again, its queued tasks are dropped, and its unread results
 * are kept readable in the archive. The same for {@code coordinator cancel} and a library's {@code
 * JobHandle.cancel()}.
 */
public final class Cancellation {
  private Cancellation() {}

  /**
   * What a cancel found.
   *
   * @param job the job as it is now stored
   * @param cancelled whether this call cancelled it (false: it had ended already)
   * @param queuedDropped tasks that were queued when it was cancelled
   */
  public record Result(Job job, boolean cancelled, long queuedDropped) {}

  /**
   * Cancels {@code job}, read and checked (not forged) by the caller; empty if its record is gone
   * or was changed by a party without the secret meanwhile.
   */
  public static Optional<Result> cancel(HazelcastInstance hazelcast, TaskLedger ledger, Job job) {
    IMap<String, Job> jobs = hazelcast.getMap(Names.JOBS);
    String jobId = job.id();
    JobTally before = JobTally.EMPTY;
    if (!job.state().isFinal()) {
      // Before the state changes: a worker that meets a task of a cancelled job forgets the job's
      // blocks, unread results with them. Moved to the archive, they stay readable.
      before = ledger.tally(jobId);
      new ResultArchive(hazelcast, ledger).takeUnread(jobId);
    }
    Job current = job;
    while (true) {
      if (current.state().isFinal()) {
        return Optional.of(new Result(current, false, 0));
      }
      Job cancelled = current.withState(JobState.CANCELLED);
      if (Redo.replace(jobs, jobId, current, cancelled)) {
        current = cancelled;
        break;
      }
      Optional<Job> now = JobRecords.get(jobs, jobId);
      if (now.isEmpty() || now.get().forged()) {
        return Optional.empty();
      }
      current = now.get();
    }
    // A worker running one of its tasks is stopped by the state change; a result recorded since
    // the move above goes with the job's tasks.
    ledger.forget(jobId);
    return Optional.of(new Result(current, true, before.queued()));
  }
}
