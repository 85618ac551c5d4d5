package dev.crew.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.crew.common.ClusterConfigs;
import dev.crew.common.Job;
import dev.crew.common.JobState;
import dev.crew.common.Lane;
import dev.crew.common.Names;
import dev.crew.common.Params;
import dev.crew.common.ResultBudget;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import dev.crew.common.ledger.HazelcastTaskLedger;
import dev.crew.common.ledger.LedgerLayout;
import dev.crew.common.ledger.TaskLedger;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The retention sweep on a real member, its clock moved by hand. */
class RetentionSweepTest {
  private static final long HOUR = Duration.ofHours(1).toMillis();

  private final AtomicLong clock = new AtomicLong(100 * HOUR);
  private HazelcastInstance member;
  private TaskLedger ledger;
  private IMap<Object, Object> jobs;
  private IMap<String, TaskResult> results;
  private RetentionSweep sweep;

  @BeforeEach
  void startMember() {
    ClusterConfigs.Membership membership =
        new ClusterConfigs.Membership(
            "sweep-" + UUID.randomUUID(),
            List.of(),
            false,
            "127.0.0.1",
            5_871,
            /* isolated= */ true);
    member = Hazelcast.newHazelcastInstance(ClusterConfigs.member(membership, Map.of(), 0));
    ledger =
        new HazelcastTaskLedger(member, LedgerLayout.DEFAULT, Duration.ofSeconds(15), clock::get);
    jobs = member.getMap(Names.JOBS);
    results = member.getMap(Names.RESULTS);
    sweep = new RetentionSweep(member, ledger, clock::get);
  }

  @AfterEach
  void stopMember() {
    sweep.close();
    member.getLifecycleService().terminate();
  }

  private Job store(String id, JobState state, long retentionMillis) {
    Job job =
        Job.submitting(id, "noop", Lane.CPU, Params.NONE, clock.get())
            .queued(2, 1)
            .withState(state)
            .withRetention(retentionMillis);
    jobs.set(id, job);
    results.set(Names.taskId(id, 0), TaskResult.counted(id, 0, 2, 2, 0));
    member.getMap(Names.BUDGETS).set(id, new ResultBudget(id, 0, false));
    return job;
  }

  private Job stored(String id) {
    return (Job) jobs.get(id);
  }

  @Test
  void sweep_endedJob_stampedThenRemovedWithItsResultsOnceItsRetentionPasses() {
    store("done", JobState.DONE, HOUR);

    assertThat(sweep.sweep()).isZero();
    long ended = clock.get();
    assertThat(stored("done").endedMillis()).isEqualTo(ended);

    clock.set(ended + HOUR - 1);
    assertThat(sweep.sweep()).isZero();
    assertThat(jobs.containsKey("done")).isTrue();

    clock.set(ended + HOUR);
    assertThat(sweep.sweep()).isEqualTo(1);
    assertThat(jobs.containsKey("done")).isFalse();
    assertThat(results.containsKey(Names.taskId("done", 0))).isFalse();
    assertThat(member.getMap(Names.BUDGETS).containsKey("done")).isFalse();
  }

  @Test
  void sweep_runningJobWithQueuedTasks_neverRemoved() throws InterruptedException {
    store("running", JobState.RUNNING, 1_000);
    ledger.store(Lane.CPU, List.of(TaskChunk.ofRange("running", 0, 0, 0, 2)));

    sweep.sweep();
    clock.addAndGet(1_000 * HOUR);
    assertThat(sweep.sweep()).isZero();

    assertThat(jobs.containsKey("running")).isTrue();
    assertThat(stored("running").endedMillis()).isZero();
    assertThat(ledger.tally("running").queued()).isEqualTo(1);
  }

  @Test
  void sweep_jobRunningAgain_losesItsEndSoItsRetentionStartsAgainWhenItEnds()
      throws InterruptedException {
    store("again", JobState.RUNNING, HOUR);
    jobs.set("again", stored("again").withEnded(clock.get() - 2 * HOUR));
    ledger.store(Lane.CPU, List.of(TaskChunk.ofRange("again", 0, 0, 0, 2)));

    assertThat(sweep.sweep()).isZero();

    assertThat(stored("again").endedMillis()).isZero();
  }

  @Test
  void sweep_foreignEntries_skippedAndTheJobsRemoved() {
    jobs.set("text", "not a job");
    jobs.set(7, "a number for a key");
    jobs.set("squat", Job.submitting("other", "noop", Lane.CPU, Params.NONE, 1L));
    store("done", JobState.CANCELLED, HOUR);

    sweep.sweep();
    clock.addAndGet(HOUR);
    assertThat(sweep.sweep()).isEqualTo(1);

    assertThat(jobs.containsKey("done")).isFalse();
    assertThat(jobs.keySet()).containsExactlyInAnyOrder("text", 7, "squat");
  }
}
