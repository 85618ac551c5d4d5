package dev.crew.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.core.HazelcastInstance;
import dev.crew.common.Job;
import dev.crew.common.JobState;
import dev.crew.common.Lane;
import dev.crew.common.Names;
import dev.crew.common.Params;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import dev.crew.common.ledger.HazelcastTaskLedger;
import dev.crew.common.ledger.JobTally;
import dev.crew.common.ledger.LedgerLayout;
import dev.crew.common.ledger.TaskLedger;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The submitter's side of the ledger as worker tests play it, on any member: puts a job's record
 * and stores its tasks, then reads their results.
 */
final class Submitter {
  private final HazelcastInstance member;
  private final TaskLedger ledger;

  Submitter(HazelcastInstance member) {
    this.member = member;
    this.ledger =
        new HazelcastTaskLedger(
            member,
            LedgerLayout.DEFAULT,
            Worker.Settings.DEFAULT_LEASE_TIMEOUT,
            System::currentTimeMillis);
  }

  TaskLedger ledger() {
    return ledger;
  }

  /** Puts job {@code jobId} running task {@code task} on {@code lane}, with no tasks stored yet. */
  void putJob(String jobId, String task, Lane lane, long items, long tasks, JobState state) {
    putJob(jobId, task, lane, Params.NONE, items, tasks, state);
  }

  /** As {@link #putJob(String, String, Lane, long, long, JobState)}, with the task's params. */
  void putJob(
      String jobId, String task, Lane lane, Params params, long items, long tasks, JobState state) {
    Job job =
        Job.submitting(jobId, task, lane, params, System.currentTimeMillis()).queued(items, tasks);
    member
        .<String, Job>getMap(Names.JOBS)
        .set(jobId, state == JobState.RUNNING ? job : job.withState(state));
  }

  /** Puts a running job of task {@code task} and stores {@code tasks} (its seqs from 0) for it. */
  void submit(String task, Lane lane, List<TaskChunk> tasks) throws InterruptedException {
    submit(task, lane, Params.NONE, tasks);
  }

  /** As {@link #submit(String, Lane, List)}, with the task's params. */
  void submit(String task, Lane lane, Params params, List<TaskChunk> tasks)
      throws InterruptedException {
    String jobId = tasks.getFirst().jobId();
    long items = tasks.stream().mapToLong(TaskChunk::count).sum();
    putJob(jobId, task, lane, params, items, tasks.size(), JobState.RUNNING);
    ledger.store(lane, tasks);
  }

  JobTally tally(String jobId) {
    return ledger.tally(jobId);
  }

  /**
   * Consumes results of {@code jobId} until there are {@code expected}, each task's once.
   *
   * @return them by task id
   */
  Map<String, TaskResult> readAll(String jobId, int expected, Duration atMost) {
    Map<String, TaskResult> read = new ConcurrentHashMap<>();
    await()
        .atMost(atMost)
        .until(
            () -> {
              for (TaskResult result : ledger.consume(jobId, 1_000)) {
                assertThat(read.put(result.taskId(), result))
                    .as("a second result handed over for %s", result.taskId())
                    .isNull();
              }
              return read.size() >= expected;
            });
    assertThat(read).hasSize(expected);
    return Map.copyOf(read);
  }
}
