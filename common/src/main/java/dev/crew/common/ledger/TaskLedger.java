package dev.crew.common.ledger;

import dev.crew.common.Lane;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The one home of the task lifecycle: tasks are stored, claimed, recorded, consumed, and put back
 * when their claims are lost. The rules are in this package's documentation; {@link
 * HazelcastTaskLedger} keeps them in the cluster, {@link InMemoryTaskLedger} in one JVM.
 */
public interface TaskLedger {

  /**
   * Stores tasks of one job, queued on {@code lane}: consecutive sequences, continuing what was
   * stored before (tasks already stored are left alone, so a redone call is harmless). Waits while
   * the lane's shards are full.
   */
  default void store(Lane lane, List<TaskChunk> tasks) throws InterruptedException {
    store(lane, List.of(), tasks);
  }

  /**
   * As above, for the first stage of a pipeline whose later stages run on {@code laterLanes} (one
   * per stage after the first; empty for a job of one stage).
   */
  void store(Lane lane, List<Lane> laterLanes, List<TaskChunk> tasks) throws InterruptedException;

  /**
   * Claims up to {@code max} queued tasks of {@code lane} for {@code claimant}, until the ledger's
   * claim timeout from now; waits up to {@code wait} for one when none is queued. Claims on a lane
   * take turns among the blocks with queued tasks, so among jobs: a claimer does not take one job's
   * tasks until they run out while another job's wait.
   *
   * @return the tasks claimed, in no particular order across jobs; empty when none came in time
   */
  List<TaskChunk> claim(Lane lane, Claimant claimant, int max, Duration wait)
      throws InterruptedException;

  /**
   * Moves the deadline of every claim {@code claimant}'s member holds in the blocks of {@code held}
   * to the claim timeout from now.
   *
   * @return how many claims the member still holds there (fewer than it thinks: some were put back)
   */
  int renew(Claimant claimant, Collection<TaskChunk> held);

  /** Records finished tasks' results: the first result of a task wins, later ones are reported. */
  default RecordOutcome record(List<TaskResult> results) {
    return record(results, List.of());
  }

  /**
   * As above, for pipelines too: a result of a stage before its job's last is not kept; its task
   * moves on to the next stage instead, as the task of {@code next} with its sequence (made from
   * the result by the worker that ran it), queued on that stage's lane. The first result of a task
   * at a stage wins, as for the last stage; a later one, or one of a stage the task has passed, is
   * a duplicate, and its next task is dropped with it.
   */
  RecordOutcome record(List<TaskResult> results, List<TaskChunk> next);

  /**
   * Up to {@code max} recorded results of job {@code jobId} not yet {@linkplain #settle settled},
   * in task order within each block. Changes nothing: a submitter that dies before it settles them
   * finds them again when it resumes.
   */
  List<TaskResult> pending(String jobId, int max);

  /**
   * Marks these results of job {@code jobId} consumed (the submitter has handed them on), so each
   * is handed over once; only their counts stay, for {@link #tally}.
   *
   * @return how many were recorded and are now consumed
   */
  int settle(String jobId, Collection<TaskResult> delivered);

  /**
   * What is left of job {@code jobId}'s consumed tasks: each one's counts and item span, as a
   * consumed result ({@code TaskResult.counted}), for a submitter that resumes the job.
   */
  List<TaskResult> delivered(String jobId);

  /**
   * {@link #settle}s {@code delivered}, then reads what {@link #pending} would: one call for a
   * reader that hands results on batch after batch, settling each as it asks for the next.
   */
  default List<TaskResult> settleThenPending(
      String jobId, Collection<TaskResult> delivered, int max) {
    settle(jobId, delivered);
    return pending(jobId, max);
  }

  /** {@link #pending} and {@link #settle} at once, for a reader that cannot lose what it reads. */
  default List<TaskResult> consume(String jobId, int max) {
    List<TaskResult> taken = pending(jobId, max);
    settle(jobId, taken);
    return taken;
  }

  /**
   * Queues again, as the same attempt, {@code claimant}'s claims on {@code tasks}: it will not run
   * them (another worker offers their task, or their job waits for its results to be read).
   *
   * @return how many went back
   */
  int release(Claimant claimant, Collection<TaskChunk> tasks);

  /**
   * Queues again every claim {@code loss} names, whichever member holds its block, and offers the
   * blocks to their lane shards, and ahead of them: the next claims take those tasks first, before
   * any queued since (they are the oldest of their jobs, which end only when they are done).
   *
   * @return how many tasks went back, per worker that held them
   */
  PutBacks putBack(Loss loss);

  /**
   * Finds blocks with queued tasks whose keys are in no lane shard (their taker died between its
   * poll and its claim, or their storer between storing and offering), and offers those found so by
   * the previous audit too; removes entries whose keys are not block keys (put there by someone
   * else). Run by one member, about once per claim timeout and at each check after a member leaves.
   *
   * @return how many blocks were offered again
   */
  int audit();

  /** How many of job {@code jobId}'s stored tasks stand in each state. */
  JobTally tally(String jobId);

  /** {@link #tally} of every job the ledger holds, by job id. */
  Map<String, JobTally> tallies();

  /**
   * Tallies of the blocks that have a task not yet consumed, by job id; a job none of whose blocks
   * has one is left out. Its queued, claimed, recorded and unread figures are those of {@link
   * #tallies}; its consumed and stored ones count only those blocks. Much cheaper than {@link
   * #tallies} in a cluster that keeps many finished jobs.
   */
  Map<String, JobTally> activeTallies();

  /** Deletes every block of job {@code jobId} (the job is over, or cancelled). */
  void forget(String jobId);

  /**
   * This reader is done with job {@code jobId}: drops what it keeps about the job to read it (its
   * blocks not drained yet, how many it asks at once), so a long-lived reader does not grow with
   * every job; the job's blocks stay as they are, and a later read of the job finds them again.
   */
  default void doneReading(String jobId) {}

  /**
   * Job {@code jobId} was just created by this ledger's caller, under an id that was free: it has
   * no blocks yet, so its first store or read need not look for earlier ones.
   */
  default void newJob(String jobId) {}
}
