package dev.crew.common.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crew.common.Lane;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The lifecycle's rules, as every {@link TaskLedger} must keep them: run against the in-memory
 * ledger on a manual clock and against the Hazelcast one with real members.
 */
abstract class TaskLedgerContract {
  static final LedgerLayout LAYOUT = new LedgerLayout(8, 4);
  static final Duration CLAIM_TIMEOUT = Duration.ofSeconds(15);
  static final Claimant ANN = new Claimant("ann:5701", "member-ann");
  static final Claimant BOB = new Claimant("bob:5701", "member-bob");

  /** More rounds than any test's tasks need: a ledger that keeps answering has a bug. */
  static final int ROUNDS = 1_000;

  final ManualClock clock = new ManualClock();

  /** The ledger under test, reading deadlines from {@link #clock}. */
  abstract TaskLedger ledger();

  /** Takes one block key off {@code lane} as a claimer killed right after its poll would. */
  abstract boolean loseKey(Lane lane);

  static List<TaskChunk> tasks(String jobId, int from, int count) {
    List<TaskChunk> tasks = new ArrayList<>();
    for (int seq = from; seq < from + count; seq++) {
      tasks.add(TaskChunk.ofRange(jobId, seq, seq, seq, 1));
    }
    return tasks;
  }

  static TaskResult resultOf(TaskChunk task, Claimant by) {
    return TaskResult.of(task, by.worker(), 1, new String[] {by.worker()}, new String[1]);
  }

  static List<TaskResult> resultsOf(List<TaskChunk> tasks, Claimant by) {
    return tasks.stream().map(t -> resultOf(t, by)).toList();
  }

  /** Claims until nothing is queued, {@code max} at a time; a ledger that never runs dry fails. */
  List<TaskChunk> claimAll(Claimant claimant, int max) throws InterruptedException {
    List<TaskChunk> all = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      List<TaskChunk> got = claim(claimant, max);
      if (got.isEmpty()) {
        return all;
      }
      all.addAll(got);
    }
    throw new AssertionError(
        "still claiming after " + ROUNDS + " rounds: " + all.size() + " tasks");
  }

  List<TaskChunk> claim(Claimant claimant, int max) throws InterruptedException {
    return ledger().claim(Lane.CPU, claimant, max, Duration.ZERO);
  }

  static Set<Long> seqs(List<TaskChunk> tasks) {
    Set<Long> seqs = new HashSet<>();
    tasks.forEach(t -> seqs.add(t.seq()));
    return seqs;
  }

  @Test
  void claim_handsEachTaskToOneClaimOnly() throws Exception {
    ledger().store(Lane.CPU, tasks("job-a", 0, 100));
    CountDownLatch start = new CountDownLatch(1);
    ConcurrentLinkedQueue<TaskChunk> claimed = new ConcurrentLinkedQueue<>();
    try (ExecutorService claimers = Executors.newFixedThreadPool(4)) {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Claimant claimant = new Claimant("w" + i, "member-" + i);
        done.add(
            claimers.submit(
                (Callable<Void>)
                    () -> {
                      start.await();
                      claimed.addAll(claimAll(claimant, 3));
                      return null;
                    }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
    }
    assertThat(claimed).hasSize(100);
    assertThat(seqs(List.copyOf(claimed))).hasSize(100);
    assertThat(ledger().tally("job-a").states()).isEqualTo(new JobTally(0, 100, 0, 0));
  }

  @Test
  void newJob_storedInSeveralCalls_everyResultIsRead() throws Exception {
    ledger().newJob("job-new");
    ledger().store(Lane.CPU, tasks("job-new", 0, 5));
    ledger().store(Lane.CPU, tasks("job-new", 5, 15));
    ledger().store(Lane.CPU, tasks("job-new", 20, 4));
    List<TaskChunk> claimed = claimAll(ANN, 64);
    assertThat(claimed).hasSize(24);
    ledger().record(resultsOf(claimed, ANN));
    Set<Long> read = new java.util.TreeSet<>();
    List<TaskResult> batch = List.of();
    for (int reads = 0; reads < 20 && read.size() < 24; reads++) {
      batch = ledger().settleThenPending("job-new", batch, 64);
      batch.forEach(result -> read.add(result.seq()));
    }
    assertThat(read)
        .as("the blocks of all three stores (%s blocks)", 24 / LAYOUT.blockSize())
        .hasSize(24);
  }

  @Test
  void claim_takesNoMoreThanAsked() throws Exception {
    ledger().store(Lane.CPU, tasks("job-a", 0, 20));

    assertThat(claim(ANN, 3)).hasSize(3);
    assertThat(claim(ANN, 1)).hasSize(1);
    assertThat(ledger().tally("job-a").queued()).isEqualTo(16);
  }

  @Test
  void claims_takeTurnsAmongJobs_ratherThanRunningOneJobsBlocksDry() throws Exception {
    // Two jobs of two blocks each: the first in shards 0 and 1, the second in shards 2 and 3.
    String first = jobWhoseFirstBlockIsIn(0, "job-a");
    String second = jobWhoseFirstBlockIsIn(2, "job-b");
    ledger().store(Lane.CPU, tasks(first, 0, 16));
    ledger().store(Lane.CPU, tasks(second, 0, 16));
    Map<String, Integer> claimed = new HashMap<>();

    while (claimed.getOrDefault(first, 0) < 16 && claimed.getOrDefault(second, 0) < 16) {
      List<TaskChunk> got = claim(ANN, 1);
      assertThat(got).hasSize(1);
      claimed.merge(got.getFirst().jobId(), 1, Integer::sum);
    }

    // Keeping to a block until it ran dry, one job got all 16 while the other had 8 or none.
    assertThat(Math.min(claimed.getOrDefault(first, 0), claimed.getOrDefault(second, 0)))
        .as("the other job's tasks claimed when one job's were all claimed: %s", claimed)
        .isGreaterThanOrEqualTo(12);
  }

  /** The first of {@code prefix}0, {@code prefix}1, ... whose block 0 is in {@code shard}. */
  static String jobWhoseFirstBlockIsIn(int shard, String prefix) {
    for (int n = 0; ; n++) {
      String jobId = prefix + n;
      if (LAYOUT.keyOf(jobId, 0).shard() == shard) {
        return jobId;
      }
    }
  }

  @Test
  void store_redoneChangesNothing() throws Exception {
    ledger().store(Lane.CPU, tasks("job-a", 0, 10));
    ledger().store(Lane.CPU, tasks("job-a", 0, 10));
    ledger().store(Lane.CPU, tasks("job-a", 10, 5));

    assertThat(claimAll(ANN, 100)).hasSize(15);
  }

  @Test
  void claim_waitsForTasksStoredMeanwhile() throws Exception {
    try (ExecutorService claimer = Executors.newSingleThreadExecutor()) {
      Future<List<TaskChunk>> waiting =
          claimer.submit(() -> ledger().claim(Lane.CPU, ANN, 5, Duration.ofSeconds(20)));
      ledger().store(Lane.CPU, tasks("job-a", 0, 2));

      assertThat(waiting.get(10, TimeUnit.SECONDS)).hasSize(2);
    }
  }

  @Test
  void record_firstResultWinsWhenTwoWorkersRace() throws Exception {
    List<TaskChunk> stored = tasks("job-a", 0, 40);
    ledger().store(Lane.CPU, stored);
    claimAll(ANN, 40);
    ledger().putBack(new Loss.MemberLeft(ANN.memberUuid()));
    claimAll(BOB, 40); // both now hold a run of every task: Ann's claims were put back
    CountDownLatch start = new CountDownLatch(1);
    try (ExecutorService workers = Executors.newFixedThreadPool(2)) {
      Future<RecordOutcome> ann =
          workers.submit(
              () -> {
                start.await();
                return ledger().record(resultsOf(stored, ANN));
              });
      Future<RecordOutcome> bob =
          workers.submit(
              () -> {
                start.await();
                return ledger().record(resultsOf(stored, BOB));
              });
      start.countDown();
      RecordOutcome a = ann.get(30, TimeUnit.SECONDS);
      RecordOutcome b = bob.get(30, TimeUnit.SECONDS);

      assertThat(a.recorded() + b.recorded()).isEqualTo(40);
      assertThat(a.duplicates().size() + b.duplicates().size()).isEqualTo(40);
    }
    List<TaskResult> consumed = consumeAll("job-a", 7);
    assertThat(consumed).hasSize(40);
    assertThat(consumed.stream().map(TaskResult::seq).distinct()).hasSize(40);
  }

  @Test
  void record_lateResultAfterPutBackIsKeptAndTheTaskNotHandedOutAgain() throws Exception {
    ledger().store(Lane.CPU, tasks("job-a", 0, 1));
    TaskChunk task = claim(ANN, 1).getFirst();
    assertThat(ledger().putBack(new Loss.MemberLeft(ANN.memberUuid())).total()).isEqualTo(1);

    assertThat(ledger().record(List.of(resultOf(task, ANN))).recorded()).isEqualTo(1);
    assertThat(claim(BOB, 1)).isEmpty();
    assertThat(ledger().record(List.of(resultOf(task, BOB))).duplicates())
        .containsExactly(task.taskId());
  }

  @Test
  void putBack_ofALeftMemberQueuesAllItsClaimsAtOnce() throws Exception {
    ledger().store(Lane.CPU, tasks("job-a", 0, 30));
    List<TaskChunk> anns = claimAll(ANN, 4); // over several blocks
    ledger().store(Lane.CPU, tasks("job-b", 0, 5));
    List<TaskChunk> bobs = claimAll(BOB, 5);

    assertThat(ledger().putBack(new Loss.MemberLeft(ANN.memberUuid())).total()).isEqualTo(30);
    List<TaskChunk> again = claimAll(BOB, 100);
    assertThat(seqs(again)).isEqualTo(seqs(anns));
    assertThat(again).allSatisfy(t -> assertThat(t.attempt()).isEqualTo(1));
    assertThat(bobs).hasSize(5);
    assertThat(ledger().putBack(new Loss.MemberLeft(ANN.memberUuid())).total()).isZero();
  }

  @Test
  void putBack_queuesALostWorkersTasksAheadOfThoseWaiting() throws Exception {
    ledger().store(Lane.CPU, tasks("job-a", 0, 8)); // one block
    List<TaskChunk> anns = claim(ANN, 8);
    assertThat(anns).hasSize(8);
    // A block in every shard, queued before the put back.
    ledger().store(Lane.CPU, tasks("job-b", 0, 32));

    assertThat(ledger().putBack(new Loss.MemberLeft(ANN.memberUuid())).total()).isEqualTo(8);
    List<TaskChunk> next = claim(BOB, 8);
    assertThat(next)
        .as("the next claim after the put back")
        .extracting(TaskChunk::jobId)
        .containsOnly("job-a");
    assertThat(seqs(next)).isEqualTo(seqs(anns));
    assertThat(claimAll(BOB, 8)).extracting(TaskChunk::jobId).containsOnly("job-b").hasSize(32);
  }

  @Test
  void putBack_returnsExpiredClaimsOnlyAfterTheirDeadline() throws Exception {
    ledger().store(Lane.CPU, tasks("job-a", 0, 3));
    List<TaskChunk> held = claimAll(ANN, 3);
    clock.advance(CLAIM_TIMEOUT);

    assertThat(ledger().putBack(new Loss.ClaimsExpired(ANN.memberUuid(), Set.of())).total())
        .isZero();
    assertThat(ledger().renew(ANN, held)).isEqualTo(3);
    clock.advance(CLAIM_TIMEOUT);
    assertThat(ledger().putBack(new Loss.ClaimsExpired(ANN.memberUuid(), Set.of())).total())
        .isZero();
    clock.advance(Duration.ofMillis(1));
    assertThat(ledger().putBack(new Loss.ClaimsExpired(ANN.memberUuid(), Set.of())).total())
        .isEqualTo(3);
    assertThat(ledger().renew(ANN, held)).isZero();
    assertThat(claimAll(BOB, 10)).hasSize(3);
  }

  @Test
  void consume_deliversEachResultOnceAndKeepsCounts() throws Exception {
    List<TaskChunk> stored = tasks("job-a", 0, 50);
    ledger().store(Lane.CPU, stored);
    List<TaskChunk> held = new ArrayList<>(claimAll(ANN, 6));
    // The first 20 tasks of the job (claims take turns among its blocks, so not the first 20
    // claimed): a reader that finds nothing in the blocks it reads is done.
    held.sort(java.util.Comparator.comparingLong(TaskChunk::seq));
    ledger().record(resultsOf(held.subList(0, 20), ANN));

    List<TaskResult> first = consumeAll("job-a", 7);
    ledger().record(resultsOf(held.subList(20, 50), ANN));
    List<TaskResult> second = consumeAll("job-a", 7);

    assertThat(first).hasSize(20);
    assertThat(second).hasSize(30);
    Set<Long> all = new HashSet<>();
    first.forEach(r -> all.add(r.seq()));
    second.forEach(r -> all.add(r.seq()));
    assertThat(all).hasSize(50);
    assertThat(ledger().consume("job-a", 100)).isEmpty();
    assertThat(ledger().tally("job-a").states()).isEqualTo(new JobTally(0, 0, 0, 50));
  }

  @Test
  void putBack_expiredLeavesWhatTheHolderRunsAndOtherMembersClaims() throws Exception {
    ledger().store(Lane.CPU, tasks("job-a", 0, 4));
    List<TaskChunk> ann = claim(ANN, 3);
    List<TaskChunk> bob = claimAll(BOB, 4);
    clock.advance(CLAIM_TIMEOUT.plusMillis(1));

    PutBacks back =
        ledger().putBack(new Loss.ClaimsExpired(ANN.memberUuid(), Set.of(ann.get(0).taskId())));

    assertThat(back.byWorker()).isEqualTo(java.util.Map.of(ANN.worker(), 2));
    assertThat(bob).hasSize(1);
    assertThat(ledger().tally("job-a").states()).isEqualTo(new JobTally(2, 2, 0, 0));
  }

  @Test
  void putBack_departedFindsTheClaimsOfEveryMemberNotListed() throws Exception {
    ledger().store(Lane.CPU, tasks("job-a", 0, 5));
    claim(ANN, 2);
    claimAll(BOB, 5);

    PutBacks back = ledger().putBack(new Loss.Departed(Set.of(BOB.memberUuid())));

    assertThat(back.byWorker()).isEqualTo(java.util.Map.of(ANN.worker(), 2));
    assertThat(claimAll(BOB, 5)).hasSize(2);
    assertThat(ledger().putBack(new Loss.Departed(Set.of(BOB.memberUuid()))).total()).isZero();
  }

  /** Tasks {@code from..} of a broadcast job, each stored once for ANN and once for BOB. */
  static List<TaskChunk> broadcast(String jobId, int from, int chunks) {
    List<TaskChunk> tasks = new ArrayList<>();
    for (int i = from; i < from + chunks; i++) {
      TaskChunk chunk = TaskChunk.ofRange(jobId, 2L * i, i, i, 1);
      tasks.add(chunk.forTarget(2L * i, ANN.memberUuid(), ANN.worker()));
      tasks.add(chunk.forTarget(2L * i + 1, BOB.memberUuid(), BOB.worker()));
    }
    return tasks;
  }

  @Test
  void claim_aBroadcastTaskGoesToItsTargetOnly() throws Exception {
    ledger().store(Lane.CPU, broadcast("job-b", 0, 10));
    Claimant carol = new Claimant("carol:5701", "member-carol");

    assertThat(claimAll(carol, 100)).isEmpty();
    List<TaskChunk> anns = claimAll(ANN, 3);
    List<TaskChunk> bobs = claimAll(BOB, 7);

    assertThat(anns).hasSize(10).allSatisfy(t -> assertThat(t.target()).isEqualTo("member-ann"));
    assertThat(bobs).hasSize(10).allSatisfy(t -> assertThat(t.target()).isEqualTo("member-bob"));
    assertThat(anns)
        .extracting(TaskChunk::firstIndex)
        .containsExactlyInAnyOrderElementsOf(bobs.stream().map(TaskChunk::firstIndex).toList());
  }

  @Test
  void putBack_aLeftTargetsTasksFailOnItsWorker_queuedOrClaimed_andNotElsewhere() throws Exception {
    ledger().store(Lane.CPU, broadcast("job-b", 0, 6));
    List<TaskChunk> held = claim(ANN, 2);
    List<TaskChunk> bobs = claimAll(BOB, 6);
    ledger().record(resultsOf(bobs, BOB));

    assertThat(ledger().putBack(new Loss.MemberLeft(ANN.memberUuid())).total()).isZero();

    assertThat(claimAll(BOB, 100)).isEmpty();
    List<TaskResult> results = consumeAll("job-b", 100);
    assertThat(results).hasSize(12);
    List<TaskResult> anns = results.stream().filter(r -> r.worker().equals(ANN.worker())).toList();
    assertThat(anns)
        .hasSize(6)
        .allSatisfy(
            r -> {
              assertThat(r.failed()).isEqualTo(1);
              assertThat(r.errors()[0]).isEqualTo(TaskBlock.TARGET_LEFT);
            });
    assertThat(anns).extracting(TaskResult::seq).contains(held.get(0).seq(), held.get(1).seq());
    assertThat(results)
        .filteredOn(r -> r.worker().equals(BOB.worker()))
        .hasSize(6)
        .allSatisfy(r -> assertThat(r.ok()).isEqualTo(1));
    // A late result of the target that left is a duplicate: its failure was recorded first.
    assertThat(ledger().record(List.of(resultOf(held.get(0), ANN))).recorded()).isZero();
  }

  @Test
  void putBack_departedFailsTheTasksOfTargetsNotListed_expiredClaimsDoNot() throws Exception {
    ledger().store(Lane.CPU, broadcast("job-b", 0, 3));
    claimAll(ANN, 3);
    clock.advance(CLAIM_TIMEOUT.plusMillis(1));

    ledger().putBack(new Loss.ClaimsExpired(ANN.memberUuid(), Set.of()));
    assertThat(ledger().tally("job-b").states()).isEqualTo(new JobTally(6, 0, 0, 0));
    ledger().putBack(new Loss.Departed(Set.of(ANN.memberUuid())));

    assertThat(ledger().tally("job-b").states()).isEqualTo(new JobTally(3, 0, 3, 0));
    assertThat(claimAll(ANN, 10)).hasSize(3);
  }

  /** Ann's results of {@code held}, each with its task of the next stage. */
  static List<TaskChunk> nextOf(List<TaskChunk> held, Claimant by) {
    return held.stream()
        .map(t -> t.forStage(t.stage() + 1, new String[] {by.worker() + "@" + t.stage()}, null))
        .toList();
  }

  @Test
  void pipeline_eachStageRunsOnItsLane_andOnlyTheLastIsRecorded() throws Exception {
    ledger().store(Lane.CPU, List.of(Lane.IO, Lane.CPU), tasks("job-p", 0, 10));
    List<TaskChunk> first = claimAll(ANN, 100);
    assertThat(first).hasSize(10).allSatisfy(t -> assertThat(t.stage()).isZero());
    assertThat(ledger().claim(Lane.IO, ANN, 100, Duration.ZERO)).isEmpty();

    RecordOutcome handedOn =
        ledger().record(resultsOf(first.subList(0, 4), ANN), nextOf(first.subList(0, 4), ANN));
    assertThat(handedOn.recorded()).isEqualTo(4);
    assertThat(ledger().pending("job-p", 100)).as("nothing is final yet").isEmpty();
    assertThat(claimAll(BOB, 100)).as("stage 2 runs on the I/O lane only").isEmpty();
    List<TaskChunk> second = ledger().claim(Lane.IO, BOB, 100, Duration.ZERO);
    assertThat(second).hasSize(4).allSatisfy(t -> assertThat(t.stage()).isEqualTo(1));
    assertThat(second.getFirst().items()).containsExactly("ann:5701@0");
    assertThat(ledger().tally("job-p").waitingAt()).containsExactly(6L, 4L, 0L);
    assertThat(ledger().tally("job-p").pastStages()).containsExactly(4L, 0L, 0L);

    ledger().record(resultsOf(second, BOB), nextOf(second, BOB));
    List<TaskChunk> third = claimAll(ANN, 100);
    assertThat(third).hasSize(4).allSatisfy(t -> assertThat(t.stage()).isEqualTo(2));
    ledger().record(resultsOf(third, ANN));

    List<TaskResult> done = ledger().pending("job-p", 100);
    assertThat(done).hasSize(4).allSatisfy(r -> assertThat(r.stage()).isEqualTo(2));
    assertThat(ledger().tally("job-p").states()).isEqualTo(new JobTally(0, 6, 4, 0));
  }

  @Test
  void pipeline_aLateResultOfAStagePassedIsADuplicate_andAResultWithoutItsNextIsNotKept()
      throws Exception {
    ledger().store(Lane.CPU, List.of(Lane.CPU), tasks("job-p", 0, 2));
    List<TaskChunk> held = claimAll(ANN, 2);
    ledger().putBack(new Loss.MemberLeft(ANN.memberUuid()));
    List<TaskChunk> again = claimAll(BOB, 2);

    assertThat(ledger().record(resultsOf(again, BOB), nextOf(again, BOB)).recorded()).isEqualTo(2);
    RecordOutcome late = ledger().record(resultsOf(held, ANN), nextOf(held, ANN));
    assertThat(late.recorded()).isZero();
    assertThat(late.duplicates()).hasSize(2);
    List<TaskChunk> second = claimAll(ANN, 10);
    assertThat(second).hasSize(2);
    assertThat(second.getFirst().items()).containsExactly("bob:5701@0");

    assertThat(ledger().record(resultsOf(second, ANN)).recorded()).isEqualTo(2);
    assertThat(ledger().pending("job-p", 10)).hasSize(2);

    // A result of a stage before the last, without its next task, moves nothing on.
    ledger().store(Lane.CPU, List.of(Lane.CPU), tasks("job-q", 0, 1));
    List<TaskChunk> q = claimAll(ANN, 1);
    assertThat(ledger().record(resultsOf(q, ANN)).recorded()).isZero();
    assertThat(ledger().tally("job-q").states()).isEqualTo(new JobTally(0, 1, 0, 0));
  }

  @Test
  void pipeline_aClaimPutBackRunsAgainAtItsStage() throws Exception {
    ledger().store(Lane.CPU, List.of(Lane.CPU), tasks("job-p", 0, 3));
    List<TaskChunk> first = claimAll(ANN, 3);
    ledger().record(resultsOf(first, ANN), nextOf(first, ANN));
    List<TaskChunk> second = claimAll(ANN, 3);

    assertThat(ledger().putBack(new Loss.MemberLeft(ANN.memberUuid())).total()).isEqualTo(3);
    List<TaskChunk> again = claimAll(BOB, 3);

    assertThat(again).hasSize(3);
    assertThat(again)
        .allSatisfy(
            t -> {
              assertThat(t.stage()).isEqualTo(1);
              assertThat(t.attempt()).isEqualTo(1);
            });
    assertThat(seqs(again)).isEqualTo(seqs(second));
  }

  @Test
  void pipeline_aStageKeyLostAfterItsPollIsFoundByTheAudit() throws Exception {
    ledger().store(Lane.CPU, List.of(Lane.IO), tasks("job-p", 0, 2));
    List<TaskChunk> first = claimAll(ANN, 2);
    ledger().record(resultsOf(first, ANN), nextOf(first, ANN));
    assertThat(loseKey(Lane.IO)).isTrue();

    assertThat(ledger().claim(Lane.IO, BOB, 10, Duration.ZERO)).isEmpty();
    ledger().audit();
    ledger().audit();

    assertThat(ledger().claim(Lane.IO, BOB, 10, Duration.ZERO)).hasSize(2);
  }

  @Test
  void pending_handsOverAgainUntilSettled() throws Exception {
    List<TaskChunk> stored = tasks("job-a", 0, 10);
    ledger().store(Lane.CPU, stored);
    List<TaskChunk> held = claimAll(ANN, 10);
    ledger().record(resultsOf(held, ANN));

    List<TaskResult> read = ledger().pending("job-a", 100);
    assertThat(read).hasSize(10);
    // A reader that dies before it settles loses nothing: the next one reads the same results.
    assertThat(ledger().pending("job-a", 100)).hasSize(10);
    assertThat(ledger().tally("job-a").unreadOk()).isEqualTo(10);
    assertThat(ledger().tally("job-a").unreadBytes()).isPositive();

    assertThat(ledger().settle("job-a", read.subList(0, 4))).isEqualTo(4);
    assertThat(ledger().settle("job-a", read.subList(0, 4))).isZero(); // settled once
    assertThat(ledger().pending("job-a", 100)).hasSize(6);
    JobTally tally = ledger().tally("job-a");
    assertThat(tally.states()).isEqualTo(new JobTally(0, 0, 6, 4));
    assertThat(tally.unreadOk()).isEqualTo(6);
    assertThat(tally.lastSeq()).isEqualTo(9);
    assertThat(tally.lastEnd()).isEqualTo(10);
    assertThat(tally.itemsOk()).isEqualTo(10);
  }

  @Test
  void settleThenPending_settlesTheLastBatchAndReadsTheNext() throws Exception {
    ledger().store(Lane.CPU, tasks("job-a", 0, 100)); // two blocks
    ledger().record(resultsOf(claimAll(ANN, 100), ANN));

    List<TaskResult> first = ledger().settleThenPending("job-a", List.of(), 40);
    List<TaskResult> second = ledger().settleThenPending("job-a", first, 40);
    List<TaskResult> rest = new ArrayList<>(second);
    for (int round = 0; round < ROUNDS && ledger().tally("job-a").recorded() > 0; round++) {
      List<TaskResult> read = ledger().settleThenPending("job-a", rest, 40);
      rest = read;
    }
    ledger().settle("job-a", rest);

    assertThat(first).hasSizeLessThanOrEqualTo(40).isNotEmpty();
    assertThat(second)
        .as("the first batch is settled: none of it again")
        .doesNotContainAnyElementsOf(first);
    assertThat(ledger().tally("job-a").states()).isEqualTo(new JobTally(0, 0, 0, 100));
  }

  @Test
  void delivered_keepsTheCountsAndSpanOfEveryConsumedTask() throws Exception {
    ledger().store(Lane.CPU, tasks("job-a", 0, 70)); // two blocks
    ledger().record(resultsOf(claimAll(ANN, 70), ANN));
    consumeAll("job-a", 50);

    List<TaskResult> delivered = ledger().delivered("job-a");
    JobTally tally = ledger().tally("job-a");

    assertThat(delivered).hasSize(70);
    assertThat(delivered)
        .allSatisfy(
            r -> {
              assertThat(r.consumed()).isTrue();
              assertThat(r.firstIndex()).isEqualTo(r.seq()); // one item per task, in order
              assertThat(r.count()).isEqualTo(1);
              assertThat(r.ok()).isEqualTo(1);
            });
    assertThat(tally.itemsOk()).isEqualTo(70);
    assertThat(tally.unreadOk()).isZero();
    assertThat(tally.lastSeq()).isEqualTo(69);
    assertThat(tally.lastEnd()).isEqualTo(70);
  }

  @Test
  void release_queuesTheSameAttemptForAnotherClaimer() throws Exception {
    ledger().store(Lane.CPU, tasks("job-a", 0, 3));
    List<TaskChunk> held = claimAll(ANN, 3);

    assertThat(ledger().release(BOB, held)).isZero(); // only the holder releases its claims
    assertThat(ledger().release(ANN, held.subList(0, 2))).isEqualTo(2);
    List<TaskChunk> again = claimAll(BOB, 3);

    assertThat(again).hasSize(2);
    assertThat(again).allSatisfy(t -> assertThat(t.attempt()).isEqualTo(held.get(0).attempt()));
    assertThat(ledger().tallies()).containsOnlyKeys("job-a");
    assertThat(ledger().tallies().get("job-a").claimed()).isEqualTo(3);
  }

  @Test
  void activeTallies_countOnlyBlocksWithATaskNotYetConsumed() throws Exception {
    runAndReadAll("job-done", 0, 8); // one block, every task read
    ledger().store(Lane.CPU, tasks("job-b", 0, 3));
    ledger().record(resultsOf(claimAll(BOB, 8), BOB)); // recorded, not read
    runAndReadAll("job-d", 0, 8);
    ledger().store(Lane.CPU, tasks("job-d", 8, 1)); // its second block: one task queued

    Map<String, JobTally> active = ledger().activeTallies();

    assertThat(active).containsOnlyKeys("job-b", "job-d");
    assertThat(active.get("job-b").states()).isEqualTo(new JobTally(0, 0, 3, 0));
    assertThat(active.get("job-b").unreadBytes())
        .isEqualTo(ledger().tally("job-b").unreadBytes())
        .isPositive();
    assertThat(active.get("job-d").states()).isEqualTo(new JobTally(1, 0, 0, 0));
    assertThat(ledger().tallies()).containsOnlyKeys("job-done", "job-b", "job-d");
    assertThat(ledger().tallies().get("job-d").states()).isEqualTo(new JobTally(1, 0, 0, 8));
  }

  /** Stores, claims, records and reads tasks {@code from..from+count-1} of {@code jobId}. */
  private void runAndReadAll(String jobId, int from, int count) throws InterruptedException {
    ledger().store(Lane.CPU, tasks(jobId, from, count));
    ledger().record(resultsOf(claimAll(ANN, count), ANN));
    int read = 0;
    for (int round = 0; round < ROUNDS && read < count; round++) {
      read += ledger().consume(jobId, count).size();
    }
    assertThat(read).as("results of " + jobId + " read").isEqualTo(count);
  }

  @Test
  void audit_offersAgainABlockLostBetweenPollAndClaim() throws Exception {
    ledger().store(Lane.CPU, tasks("job-a", 0, 8)); // one block
    assertThat(loseKey(Lane.CPU)).isTrue();
    assertThat(claim(BOB, 8)).isEmpty();

    assertThat(ledger().audit()).isZero(); // once could be a claim in flight
    assertThat(ledger().audit()).isEqualTo(1);
    assertThat(claimAll(BOB, 8)).hasSize(8);
    assertThat(ledger().audit()).isZero();
  }

  @Test
  void forget_dropsTheJobAndReportsLateResultsAsForgotten() throws Exception {
    ledger().store(Lane.CPU, tasks("job-a", 0, 4));
    List<TaskChunk> held = claim(ANN, 2); // the block's key goes back: two tasks are left
    ledger().forget("job-a");

    assertThat(ledger().tally("job-a").states()).isEqualTo(JobTally.EMPTY);
    RecordOutcome late = ledger().record(resultsOf(held, ANN));
    assertThat(late.forgotten()).hasSize(2);
    assertThat(late.duplicates()).as("no other run recorded them").isEmpty();
    assertThat(ledger().renew(ANN, held)).isZero();
    assertThat(ledger().consume("job-a", 10)).isEmpty();
    ledger().store(Lane.CPU, tasks("job-b", 0, 1));
    assertThat(claimAll(BOB, 10)).hasSize(1); // the forgotten job's keys still queued are skipped
  }

  List<TaskResult> consumeAll(String jobId, int max) {
    List<TaskResult> all = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      List<TaskResult> batch = ledger().consume(jobId, max);
      if (batch.isEmpty()) {
        return all;
      }
      assertThat(batch.size()).isLessThanOrEqualTo(max);
      all.addAll(batch);
    }
    throw new AssertionError(
        "still consuming after " + ROUNDS + " rounds: " + all.size() + " results");
  }
}
