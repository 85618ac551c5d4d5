package dev.crew.common.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crew.common.Job;
import dev.crew.common.JobState;
import dev.crew.common.Lane;
import dev.crew.common.Params;
import dev.crew.common.TaskChunk;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeldClaimsTest {
  private static final Claimant ANN = new Claimant("ann", "uuid-ann");
  private static final Claimant BOB = new Claimant("bob", "uuid-bob");
  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  private final ManualClock clock = new ManualClock();

  private final InMemoryTaskLedger ledger =
      new InMemoryTaskLedger(new LedgerLayout(4, 2), TIMEOUT, clock);
  private final List<Runnable> scheduled = new ArrayList<>();
  private final List<Duration> delays = new ArrayList<>();
  private final HeldClaims claims =
      new HeldClaims(
          ledger,
          () -> ANN,
          (delay, action) -> {
            delays.add(delay);
            scheduled.add(action);
          });

  private static List<TaskChunk> tasks(String jobId, int count) {
    return TaskLedgerContract.tasks(jobId, 0, count);
  }

  private static Job job(String id, JobState state) {
    return new Job(id, "noop", Lane.CPU, Params.NONE, state, 0, 0, 0, 0, 0, "sig");
  }

  @Test
  void claim_holdsEveryTaskClaimedUntilItIsDone() throws InterruptedException {
    ledger.store(Lane.CPU, tasks("j", 3));

    List<TaskChunk> claimed = claims.claim(Lane.CPU, 3, Duration.ZERO);

    assertThat(claims.taskIds()).containsExactlyInAnyOrder("j/0", "j/1", "j/2");
    claims.done(claimed.get(0).taskId());
    assertThat(claims.taskIds()).hasSize(2).doesNotContain(claimed.get(0).taskId());
  }

  @Test
  void handBackAfter_queuesTheSameAttemptAgainOnlyOnceTheDelayHasRun() throws InterruptedException {
    ledger.store(Lane.CPU, tasks("j", 1));
    TaskChunk task = claims.claim(Lane.CPU, 1, Duration.ZERO).getFirst();

    claims.handBackAfter(task, Duration.ofMillis(100));

    assertThat(delays).containsExactly(Duration.ofMillis(100));
    assertThat(claims.taskIds()).containsExactly(task.taskId()); // still held until then
    assertThat(ledger.claim(Lane.CPU, BOB, 1, Duration.ZERO)).isEmpty();
    scheduled.getFirst().run();
    assertThat(claims.taskIds()).isEmpty();
    List<TaskChunk> again = ledger.claim(Lane.CPU, BOB, 1, Duration.ZERO);
    assertThat(again).extracting(TaskChunk::taskId).containsExactly(task.taskId());
    assertThat(again.getFirst().attempt()).isEqualTo(task.attempt());
  }

  @Test
  void letGo_forgetsTheBlocksOfACancelledJobAtOnce() throws InterruptedException {
    ledger.store(Lane.CPU, tasks("j", 3));
    TaskChunk task = claims.claim(Lane.CPU, 1, Duration.ZERO).getFirst();

    claims.letGo(task, job("j", JobState.CANCELLED));

    assertThat(claims.taskIds()).isEmpty();
    assertThat(ledger.tallies()).doesNotContainKey("j");
  }

  @Test
  void letGo_ofARunningJobsTask_keepsItsBlocksAndLeavesTheClaimToExpire()
      throws InterruptedException {
    ledger.store(Lane.CPU, tasks("j", 2));
    TaskChunk task = claims.claim(Lane.CPU, 1, Duration.ZERO).getFirst();

    claims.letGo(task, job("j", JobState.RUNNING));

    assertThat(claims.taskIds()).isEmpty();
    assertThat(ledger.tally("j").queued()).isEqualTo(1);
    // not held any more, so the holder's own expired-claims check puts it back
    clock.advance(TIMEOUT.plusMillis(1));
    assertThat(ledger.putBack(new Loss.ClaimsExpired(ANN.memberUuid(), claims.taskIds())).total())
        .isEqualTo(1);
  }

  @Test
  void awaited_isFalseForAGoneCancelledOrRefusedJob() {
    assertThat(HeldClaims.awaited(null)).isFalse();
    assertThat(HeldClaims.awaited(job("j", JobState.CANCELLED))).isFalse();
    assertThat(HeldClaims.awaited(job("j", JobState.REFUSED))).isFalse();
    assertThat(HeldClaims.awaited(job("j", JobState.RUNNING))).isTrue();
    assertThat(HeldClaims.awaited(job("j", JobState.DONE))).isTrue();
    // a record changed without the secret says nothing: its job is still awaited
    assertThat(HeldClaims.awaited(job("j", JobState.CANCELLED).withSignature(Job.FORGED))).isTrue();
  }
}
