package dev.crew.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.crew.common.ClusterConfigs;
import dev.crew.common.ItemFunction;
import dev.crew.common.Job;
import dev.crew.common.JobState;
import dev.crew.common.Lane;
import dev.crew.common.Names;
import dev.crew.common.Params;
import dev.crew.common.TaskCatalog;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import dev.crew.common.ledger.Claimant;
import dev.crew.common.ledger.HazelcastTaskLedger;
import dev.crew.common.ledger.JobTally;
import dev.crew.common.ledger.LedgerLayout;
import dev.crew.common.ledger.LedgerPeek;
import dev.crew.common.ledger.TaskLedger;
import dev.crew.worker.stats.WorkerEvents;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Claims with real Hazelcast members in this JVM: the oldest member's reaper putting back the
 * claims of workers that left or went silent, and running the audit; each worker handing back its
 * own expired claims on tasks it does not run; the result sink keeping a task's first result; a
 * block offered twice running its task once; and a worker handing back at close the tasks still
 * running at its drain timeout.
 */
@ExtendWith(QuickJoin.class)
class ClaimsTest {
  private static final int PORT_BASE = 5811;

  /** Ports 5811..5840. */
  private static final int PORT_COUNT = 30;

  private static final Duration HEARTBEAT = Duration.ofMillis(200);

  /** The claim timeout of the ledgers this test claims through: longer than any test. */
  private static final Duration CLAIM_TIMEOUT = Duration.ofSeconds(60);

  private final String cluster = "claims-test-" + UUID.randomUUID();
  private final List<HazelcastInstance> members = new ArrayList<>();
  private final List<LeaseReaper> reapers = new ArrayList<>();
  private final List<Worker> workers = new ArrayList<>();

  @BeforeAll
  static void quickPolls() {
    Awaitility.setDefaultPollInterval(Duration.ofMillis(20));
    Awaitility.setDefaultPollDelay(Duration.ZERO);
  }

  @AfterEach
  void stopEverything() {
    reapers.forEach(LeaseReaper::close);
    workers.forEach(Worker::close);
    List<HazelcastInstance> newestFirst = new ArrayList<>(members);
    Collections.reverse(newestFirst);
    // No data outlives a test, so members are terminated rather than shut down gracefully (no
    // partition migration).
    newestFirst.forEach(m -> m.getLifecycleService().terminate());
    assertThat(members).allSatisfy(m -> assertThat(m.getLifecycleService().isRunning()).isFalse());
    assertThat(workers)
        .allSatisfy(w -> assertThat(w.hazelcast().getLifecycleService().isRunning()).isFalse());
  }

  // ---------------------------------------------------------------------------------------------
  // Cluster helpers

  private HazelcastInstance member(int joinPort) {
    Config config =
        ClusterConfigs.member(
            new ClusterConfigs.Membership(
                cluster, List.of("127.0.0.1:" + joinPort), false, "127.0.0.1", PORT_BASE, false),
            Map.of(),
            1);
    config.getNetworkConfig().setPortCount(PORT_COUNT);
    HazelcastInstance member = Hazelcast.newHazelcastInstance(config);
    members.add(member);
    return member;
  }

  /**
   * {@code n} plain members, the first of them the oldest; returns once every one sees all {@code
   * n}.
   */
  private List<HazelcastInstance> startCluster(int n) {
    HazelcastInstance first = member(PORT_BASE);
    List<HazelcastInstance> started = new ArrayList<>(List.of(first));
    for (int i = 1; i < n; i++) {
      started.add(member(portOf(first)));
    }
    awaitClusterSize(started, n);
    assertThat(first.getCluster().getMembers().iterator().next().localMember())
        .as("first member is oldest")
        .isTrue();
    return started;
  }

  private static void awaitClusterSize(List<HazelcastInstance> all, int n) {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> all.stream().allMatch(m -> m.getCluster().getMembers().size() == n));
  }

  private static int portOf(HazelcastInstance member) {
    return member.getCluster().getLocalMember().getAddress().getPort();
  }

  private static String uuidOf(HazelcastInstance member) {
    return member.getCluster().getLocalMember().getUuid().toString();
  }

  private LeaseReaper startReaper(HazelcastInstance member, Duration leaseTimeout) {
    return startReaper(member, leaseTimeout, Set::of);
  }

  /** A reaper on {@code member}, as its worker runs one, with that worker's running task ids. */
  private LeaseReaper startReaper(
      HazelcastInstance member, Duration leaseTimeout, Supplier<Set<String>> runningHere) {
    LeaseReaper reaper =
        new LeaseReaper(
            member,
            new HazelcastTaskLedger(
                member, LedgerLayout.DEFAULT, leaseTimeout, System::currentTimeMillis),
            leaseTimeout,
            HEARTBEAT,
            System::nanoTime,
            runningHere);
    reapers.add(reaper);
    reaper.start();
    return reaper;
  }

  private static RecordedEvents recordEvents(HazelcastInstance member) {
    RecordedEvents events = new RecordedEvents();
    member.getUserContext().put(WorkerEvents.CONTEXT_KEY, events);
    return events;
  }

  private static TaskLedger ledgerOn(HazelcastInstance member) {
    return new HazelcastTaskLedger(
        member, LedgerLayout.DEFAULT, CLAIM_TIMEOUT, System::currentTimeMillis);
  }

  private static Claimant claimantOn(HazelcastInstance member, String name) {
    return new Claimant(name, uuidOf(member));
  }

  private static TaskChunk chunk(String jobId, long seq) {
    return TaskChunk.ofRange(jobId, seq, seq * 10, seq * 100, 10);
  }

  /**
   * Puts job {@code jobId} (so that no audit forgets it) and stores its tasks 0..n-1 on {@code
   * lane}.
   */
  private static List<TaskChunk> storeJob(
      HazelcastInstance member, String jobId, Lane lane, int n, JobState state)
      throws InterruptedException {
    Job job =
        Job.submitting(jobId, "fib", lane, Params.NONE, System.currentTimeMillis())
            .queued(10L * n, n);
    member
        .<String, Job>getMap(Names.JOBS)
        .set(jobId, state == JobState.RUNNING ? job : job.withState(state));
    List<TaskChunk> tasks = new ArrayList<>();
    for (int seq = 0; seq < n; seq++) {
      tasks.add(chunk(jobId, seq));
    }
    ledgerOn(member).store(lane, tasks);
    return tasks;
  }

  private static List<TaskChunk> storeJob(HazelcastInstance member, String jobId, Lane lane, int n)
      throws InterruptedException {
    return storeJob(member, jobId, lane, n, JobState.RUNNING);
  }

  /** Claims {@code n} tasks of {@code lane} for {@code claimant}, in as many claims as it takes. */
  private static List<TaskChunk> claim(TaskLedger ledger, Lane lane, Claimant claimant, int n)
      throws InterruptedException {
    List<TaskChunk> claimed = new ArrayList<>();
    while (claimed.size() < n) {
      List<TaskChunk> got = ledger.claim(lane, claimant, n - claimed.size(), Duration.ofSeconds(5));
      assertThat(got).as("claimed %s of %s", claimed.size(), n).isNotEmpty();
      claimed.addAll(got);
    }
    return claimed;
  }

  private static List<String> taskIds(List<TaskChunk> chunks) {
    return chunks.stream().map(TaskChunk::taskId).toList();
  }

  private static TaskResult resultOf(TaskChunk chunk, String worker) {
    String[] values = new String[chunk.count()];
    Arrays.fill(values, "1");
    return TaskResult.of(chunk, worker, 1_000, values, new String[chunk.count()]);
  }

  private static JobTally states(long queued, long claimed, long recorded, long consumed) {
    return new JobTally(queued, claimed, recorded, consumed);
  }

  // ---------------------------------------------------------------------------------------------
  // LeaseReaper

  @Test
  void reaper_putsBackClaimsOfAWorkerThatLeft() throws InterruptedException {
    List<HazelcastInstance> ab = startCluster(2);
    HazelcastInstance a = ab.get(0);
    HazelcastInstance b = ab.get(1);
    List<TaskChunk> tasks = storeJob(a, "left", Lane.CPU, 3);
    claim(ledgerOn(b), Lane.CPU, claimantOn(b, "b"), 3);
    startReaper(a, Duration.ofSeconds(10));
    TaskLedger ledger = ledgerOn(a);
    IMap<String, Long> heartbeats = a.getMap(Names.HEARTBEATS);
    // B's claims stay while B is in the cluster, through several of the reaper's checks.
    await().atMost(Duration.ofSeconds(2)).until(() -> heartbeats.getOrDefault(uuidOf(a), 0L) >= 3);
    assertThat(ledger.tally("left").states()).isEqualTo(states(0, 3, 0, 0));

    long terminated = System.nanoTime();
    b.getLifecycleService().terminate();
    AtomicLong putBack = new AtomicLong();
    await()
        .atMost(Duration.ofSeconds(8))
        .until(
            () -> {
              if (ledger.tally("left").states().equals(states(3, 0, 0, 0))) {
                putBack.set(System.nanoTime());
                return true;
              }
              return false;
            });
    Duration latency = Duration.ofNanos(putBack.get() - terminated);
    System.err.printf(
        "ClaimsTest: claims of a departed worker put back %d ms after it terminated%n",
        latency.toMillis());

    assertThat(latency).isLessThan(Duration.ofSeconds(5));
    List<TaskChunk> again = claim(ledger, Lane.CPU, claimantOn(a, "a"), 3);
    assertThat(taskIds(again)).containsExactlyInAnyOrderElementsOf(taskIds(tasks));
    assertThat(again).allSatisfy(t -> assertThat(t.attempt()).isEqualTo(1));
    assertThat(heartbeats.containsKey(uuidOf(a))).isTrue();
  }

  @Test
  void reaper_putsBackClaimsOfASilentWorker() throws InterruptedException {
    List<HazelcastInstance> ac = startCluster(2);
    HazelcastInstance a = ac.get(0);
    HazelcastInstance c = ac.get(1);
    // C is alive but runs no reaper: its heartbeat stays where it is.
    IMap<String, Long> heartbeats = a.getMap(Names.HEARTBEATS);
    heartbeats.set(uuidOf(c), 7L);
    List<TaskChunk> tasks = storeJob(a, "silent", Lane.CPU, 3);
    claim(ledgerOn(c), Lane.CPU, claimantOn(c, "c"), 3);
    TaskLedger ledger = ledgerOn(a);
    Duration leaseTimeout = Duration.ofSeconds(1);

    long started = System.nanoTime();
    startReaper(a, leaseTimeout);
    // The reaper runs (its own heartbeat moves) but C's claims stay until C has been silent for
    // the lease timeout.
    await().atMost(Duration.ofSeconds(2)).until(() -> heartbeats.getOrDefault(uuidOf(a), 0L) >= 2);
    assertThat(ledger.tally("silent").claimed()).isEqualTo(3);

    AtomicLong putBack = new AtomicLong();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> {
              if (ledger.tally("silent").states().equals(states(3, 0, 0, 0))) {
                putBack.set(System.nanoTime());
                return true;
              }
              return false;
            });
    Duration after = Duration.ofNanos(putBack.get() - started);
    System.err.printf(
        "ClaimsTest: claims of a silent worker put back %d ms after the reaper started%n",
        after.toMillis());

    // Never before the timeout (the cut-off point is the reaper's own clock, read after it
    // started).
    assertThat(after).isGreaterThan(leaseTimeout).isLessThan(leaseTimeout.plusSeconds(3));
    assertThat(taskIds(claim(ledger, Lane.CPU, claimantOn(a, "a"), 3)))
        .containsExactlyInAnyOrderElementsOf(taskIds(tasks));
    assertThat(c.getLifecycleService().isRunning()).isTrue();
    assertThat(a.getCluster().getMembers()).hasSize(2);
  }

  /**
   * Claims of a member that left before the reaper started (no departure event reaches it) are
   * found by the departure check every audit runs; a task that already has its result is not queued
   * again.
   */
  @Test
  void reaper_auditPutsBackClaimsOfAMemberGoneEarlier_notTasksWithAResult()
      throws InterruptedException {
    HazelcastInstance a = startCluster(1).getFirst();
    TaskLedger ledger = ledgerOn(a);
    List<TaskChunk> tasks = storeJob(a, "done", Lane.CPU, 2);
    // Never (or no longer) a member.
    Claimant departed = new Claimant("gone:1", UUID.randomUUID().toString());
    claim(ledger, Lane.CPU, departed, 2);
    TaskChunk finished = tasks.get(0);
    TaskChunk unfinished = tasks.get(1);
    assertThat(ledger.record(List.of(resultOf(finished, "gone:1"))).recorded()).isEqualTo(1);

    startReaper(a, Duration.ofSeconds(1));
    await().atMost(Duration.ofSeconds(5)).until(() -> ledger.tally("done").claimed() == 0);

    // The unfinished task went back (the reaper did put back this holder's claims); the finished
    // one did not, now or at a later check.
    await()
        .during(Duration.ofMillis(400))
        .atMost(Duration.ofSeconds(1))
        .until(() -> ledger.tally("done").states().equals(states(1, 0, 1, 0)));
    assertThat(ledger.pending("done", 10))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.taskId()).isEqualTo(finished.taskId());
              assertThat(r.worker()).isEqualTo("gone:1");
            });
    assertThat(claim(ledger, Lane.CPU, claimantOn(a, "a"), 1))
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.taskId()).isEqualTo(unfinished.taskId());
              assertThat(t.attempt()).isEqualTo(1);
            });
  }

  /**
   * Only the oldest member judges. B's reaper would find C silent after its 1 s lease timeout, and
   * would see C leave as soon as A does: neither happens, while A puts C's claims back once, when C
   * leaves.
   */
  @Test
  void reaper_onlyTheOldestJudges() throws InterruptedException {
    List<HazelcastInstance> abc = startCluster(3);
    HazelcastInstance a = abc.get(0);
    HazelcastInstance b = abc.get(1);
    HazelcastInstance c = abc.get(2);
    List<TaskChunk> tasks = storeJob(a, "once", Lane.CPU, 4);
    claim(ledgerOn(c), Lane.CPU, claimantOn(c, "c"), 4);
    RecordedEvents aEvents = recordEvents(a);
    RecordedEvents bEvents = recordEvents(b);
    startReaper(a, Duration.ofSeconds(10));
    startReaper(b, Duration.ofSeconds(1));
    IMap<String, Long> heartbeats = a.getMap(Names.HEARTBEATS);
    TaskLedger ledger = ledgerOn(a);

    // C sends no heartbeat: for B, it is silent after a second; B is not the oldest, so it keeps
    // its judgement to itself.
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(4))
        .until(() -> ledger.tally("once").claimed() == tasks.size());
    assertThat(heartbeats.get(uuidOf(b))).as("B's reaper runs").isGreaterThanOrEqualTo(5);

    // Both reapers learn of C's departure at about the same moment and check at once.
    c.getLifecycleService().terminate();
    await()
        .atMost(Duration.ofSeconds(8))
        .until(() -> ledger.tally("once").states().equals(states(4, 0, 0, 0)));
    long bBeatsBefore = heartbeats.get(uuidOf(b));
    // Several more passes of both reapers: nothing else is reported.
    await()
        .during(Duration.ofMillis(800))
        .atMost(Duration.ofSeconds(2))
        .until(() -> aEvents.putBacks.size() == 1 && bEvents.putBacks.isEmpty());

    assertThat(aEvents.putBacks).containsExactly(tasks.size());
    assertThat(aEvents.putBackWorkers).containsExactly("c");
    assertThat(heartbeats.get(uuidOf(b))).as("B's reaper kept running").isGreaterThan(bBeatsBefore);
    List<TaskChunk> again = claim(ledger, Lane.CPU, claimantOn(a, "a"), tasks.size());
    assertThat(taskIds(again)).containsExactlyInAnyOrderElementsOf(taskIds(tasks));
    assertThat(again).allSatisfy(t -> assertThat(t.attempt()).isEqualTo(1));
  }

  /**
   * A block with queued tasks whose key is in no lane shard (its taker died between poll and claim)
   * is offered again by the audit that finds it there a second time, once; the same audits forget
   * the blocks of a cancelled job and of a job nobody knows.
   */
  @Test
  void reaper_auditOffersAgainABlockFoundInNoShardTwice() throws InterruptedException {
    HazelcastInstance a = startCluster(1).getFirst();
    TaskLedger ledger = ledgerOn(a);
    Claimant me = claimantOn(a, "me");
    List<TaskChunk> lost = storeJob(a, "lost", Lane.CPU, 3);
    // lost/0 runs here, under a claim whose deadline passes during the test; lost/1 and lost/2 are
    // queued, but a claimer took their block's key and died before its claim.
    TaskLedger shortClaims =
        new HazelcastTaskLedger(
            a, LedgerLayout.DEFAULT, Duration.ofMillis(500), System::currentTimeMillis);
    assertThat(shortClaims.claim(Lane.CPU, me, 1, Duration.ofSeconds(5)))
        .extracting(TaskChunk::taskId)
        .containsExactly("lost/0");
    assertThat(LedgerPeek.loseKey(a, Lane.CPU, lost.get(1))).isEqualTo(1);
    storeJob(a, "dropped", Lane.CPU, 1, JobState.CANCELLED);
    ledger.store(Lane.CPU, List.of(chunk("unknown", 0)));
    Duration leaseTimeout = Duration.ofSeconds(1);

    long started = System.nanoTime();
    startReaper(a, leaseTimeout, () -> Set.of("lost/0"));
    await().atMost(Duration.ofSeconds(6)).until(() -> LedgerPeek.keysOf(a, Lane.CPU, "lost") > 0);
    Duration after = Duration.ofNanos(System.nanoTime() - started);
    System.err.printf(
        "ClaimsTest: a block lost between poll and claim was offered again after %d ms%n",
        after.toMillis());

    // Two audits, a lease timeout apart: never at the first sight.
    assertThat(after).isGreaterThanOrEqualTo(leaseTimeout.multipliedBy(2));
    assertThat(ledger.tally("dropped"))
        .as("a cancelled job is forgotten")
        .isEqualTo(JobTally.EMPTY);
    assertThat(ledger.tally("unknown")).as("an unknown job is forgotten").isEqualTo(JobTally.EMPTY);
    // Offered once, not at every audit.
    await()
        .during(Duration.ofMillis(2_500))
        .atMost(Duration.ofSeconds(4))
        .until(() -> LedgerPeek.keysOf(a, Lane.CPU, "lost") == 1);
    // The claim on the task running here outlived its deadline: it is not handed back.
    assertThat(ledger.tally("lost").states()).isEqualTo(states(2, 1, 0, 0));
    List<TaskChunk> queued = claim(ledger, Lane.CPU, me, 2);
    assertThat(taskIds(queued)).containsExactlyInAnyOrder("lost/1", "lost/2");
    assertThat(queued).allSatisfy(t -> assertThat(t.attempt()).isZero());
  }

  @Test
  void reaper_handsBackOwnExpiredClaimsOnTasksNotRunningHere() throws InterruptedException {
    HazelcastInstance a = startCluster(1).getFirst();
    Claimant me = claimantOn(a, "me");
    // Claims made a minute ago, for a second: their deadlines have passed.
    long minuteAgo = System.currentTimeMillis() - 60_000;
    TaskLedger past =
        new HazelcastTaskLedger(a, LedgerLayout.DEFAULT, Duration.ofSeconds(1), () -> minuteAgo);
    TaskLedger ledger = ledgerOn(a);
    storeJob(a, "busy", Lane.CPU, 1);
    claim(past, Lane.CPU, me, 1); // runs here
    storeJob(a, "idle", Lane.IO, 1);
    claim(past, Lane.IO, me, 1); // does not run here
    storeJob(a, "fresh", Lane.CPU, 1);
    claim(ledger, Lane.CPU, me, 1); // not run here either, but its deadline is a minute away
    startReaper(a, Duration.ofSeconds(1), () -> Set.of("busy/0"));

    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> ledger.tally("idle").states().equals(states(1, 0, 0, 0)));
    assertThat(ledger.tally("busy").states()).isEqualTo(states(0, 1, 0, 0));
    assertThat(ledger.tally("fresh").states()).isEqualTo(states(0, 1, 0, 0));
    assertThat(claim(ledger, Lane.IO, me, 1))
        .singleElement()
        .satisfies(t -> assertThat(t.taskId()).isEqualTo("idle/0"));
  }

  // ---------------------------------------------------------------------------------------------
  // LedgerResultSink

  @Test
  void ledgerResultSink_firstResultWinsAndTheOtherClaimStays() throws InterruptedException {
    HazelcastInstance hz = startCluster(1).getFirst();
    TaskLedger ledger = ledgerOn(hz);
    TaskChunk chunk = TaskChunk.ofItems("sink", 0, 0, new String[] {"a", "b"});
    TaskChunk other = TaskChunk.ofItems("sink", 1, 2, new String[] {"c"});
    ledger.store(Lane.CPU, List.of(chunk, other));
    claim(ledger, Lane.CPU, claimantOn(hz, "w1"), 2);
    RecordedEvents events = new RecordedEvents();
    List<TaskResult> written = new CopyOnWriteArrayList<>();
    LedgerResultSink sink = new LedgerResultSink(ledger, events, written::add);
    TaskResult first = resultOf(chunk, "w1");
    TaskResult second = resultOf(chunk.nextAttempt(), "w2");
    try {
      // Writes are batched: "first" is the first complete write, so let it complete before the
      // second is handed in.
      sink.record(first);
      sink.flush();
      assertThat(sink.duplicates()).isZero();
      assertThat(ledger.tally("sink").states()).isEqualTo(states(0, 1, 1, 0));
      sink.record(second);
      sink.flush();
    } finally {
      sink.close();
    }

    assertThat(sink.duplicates()).isEqualTo(1);
    assertThat(events.duplicates).containsExactly(chunk.taskId());
    assertThat(ledger.pending("sink", 10))
        .singleElement()
        .satisfies(
            stored -> {
              assertThat(stored.taskId()).isEqualTo(chunk.taskId());
              assertThat(stored.worker()).isEqualTo("w1");
              assertThat(stored.attempt()).isZero();
            });
    assertThat(ledger.tally("sink").states())
        .as("the other task's claim stays")
        .isEqualTo(states(0, 1, 1, 0));
    // The worker stops holding a task once its result was written, kept or not.
    assertThat(written).containsExactly(first, second);
  }

  // ---------------------------------------------------------------------------------------------
  // Worker

  /**
   * A block's key offered twice (a redone offer, a put-back racing a claimer): its task runs once;
   * a key offered once more after the task has its result runs nothing.
   */
  @Test
  void worker_blockOfferedTwiceRunsItsTaskOnce() throws InterruptedException {
    HazelcastInstance plain = startCluster(1).getFirst();
    Submitter submitter = new Submitter(plain);
    TaskChunk twice = TaskChunk.ofRange("twice", 0, 0, 10, 1);
    submitter.submit("fib", Lane.CPU, List.of(twice));
    assertThat(LedgerPeek.offerKeyAgain(plain, Lane.CPU, twice)).isTrue();
    assertThat(LedgerPeek.keysOf(plain, Lane.CPU, "twice")).isEqualTo(2);

    Worker worker = startWorker(plain, 1);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                submitter.tally("twice").recorded() == 1
                    && LedgerPeek.keysOf(plain, Lane.CPU, "twice") == 0);
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(1))
        .until(() -> worker.meters().tasksDone() == 1);
    assertThat(submitter.tally("twice").states()).isEqualTo(states(0, 0, 1, 0));
    assertThat(worker.duplicatesDropped()).isZero();

    // Offered again once its task has a result: taken, nothing runs, nothing is claimed.
    assertThat(LedgerPeek.offerKeyAgain(plain, Lane.CPU, twice)).isTrue();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> LedgerPeek.keysOf(plain, Lane.CPU, "twice") == 0);
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(1))
        .until(() -> worker.meters().tasksDone() == 1);
    assertThat(submitter.tally("twice").states()).isEqualTo(states(0, 0, 1, 0));
    assertThat(submitter.readAll("twice", 1, Duration.ofSeconds(5)).get("twice/0").values())
        .containsExactly("55");
  }

  @Test
  void workerClose_handsBackTasksStillRunningAtTheDrainTimeout() throws Exception {
    HazelcastInstance plain = startCluster(1).getFirst();
    Worker worker = startWorker(plain, 2);
    closeHandsBackTheSleepingTask(plain, worker);
  }

  /**
   * As above, but the sleeping item holds the lane's only slot, so the lane loop is blocked waiting
   * for a slot when close() begins; at the drain timeout close() wakes the loop, hands the task
   * back, then interrupts the item.
   */
  @Test
  void workerClose_handsBackTaskThatHoldsTheLanesOnlySlot() throws Exception {
    HazelcastInstance plain = startCluster(1).getFirst();
    Worker worker = startWorker(plain, 1);
    closeHandsBackTheSleepingTask(plain, worker);
  }

  /**
   * As above, with a second item that waits for the slot the sleeping one holds: close() wakes the
   * loop while it starts the task's items; the second never starts, and the whole task goes back.
   */
  @Test
  void workerClose_handsBackATaskWhoseItemsWereNotAllStarted() throws Exception {
    HazelcastInstance plain = startCluster(1).getFirst();
    Worker worker = startWorker(plain, 1);
    closeHandsBackTheSleepingTask(plain, worker, "60000", "10");
  }

  private Worker startWorker(HazelcastInstance plain, int ioConcurrency) {
    Worker worker =
        Worker.start(
            new Worker.Settings(
                new ClusterConfigs.Membership(
                    cluster,
                    List.of("127.0.0.1:" + portOf(plain)),
                    false,
                    "127.0.0.1",
                    PORT_BASE,
                    false),
                1,
                ioConcurrency,
                1,
                Duration.ofMillis(500),
                Duration.ofSeconds(10),
                HEARTBEAT),
            TaskCatalog.builtIn());
    workers.add(worker);
    awaitClusterSize(List.of(plain, worker.hazelcast()), 2);
    return worker;
  }

  private static void closeHandsBackTheSleepingTask(HazelcastInstance plain, Worker worker)
      throws Exception {
    closeHandsBackTheSleepingTask(plain, worker, "60000");
  }

  private static void closeHandsBackTheSleepingTask(
      HazelcastInstance plain, Worker worker, String... items) throws Exception {
    Submitter submitter = new Submitter(plain);
    TaskChunk sleeper = TaskChunk.ofItems("sleepy", 0, 0, items);
    submitter.submit("sleep", Lane.IO, List.of(sleeper));
    // The worker is the only claimer.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> submitter.tally("sleepy").states().equals(states(0, 1, 0, 0)));

    long start = System.nanoTime();
    CompletableFuture<Void> closing = new CompletableFuture<>();
    Thread.ofPlatform()
        .name("claims-test-close")
        .start(
            () -> {
              try {
                worker.close();
                closing.complete(null);
              } catch (Throwable e) {
                closing.completeExceptionally(e);
              }
            });
    // It returns: the drain timeout (0.5 s) hands the running task back instead of waiting for its
    // 60 s sleep; the rest is the member's graceful shutdown, slower on a loaded host, so only a
    // generous bound is checked.
    closing.get(10, TimeUnit.SECONDS);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    System.err.printf("ClaimsTest: worker.close() returned after %d ms%n", took.toMillis());

    assertThat(worker.hazelcast().getLifecycleService().isRunning()).isFalse();
    await().atMost(Duration.ofSeconds(5)).until(() -> plain.getCluster().getMembers().size() == 1);
    assertThat(submitter.tally("sleepy").states())
        .as("queued again, no claim or result left")
        .isEqualTo(states(1, 0, 0, 0));
    assertThat(LedgerPeek.keysOf(plain, Lane.IO, "sleepy")).isEqualTo(1);
    assertThat(claim(submitter.ledger(), Lane.IO, claimantOn(plain, "next"), 1))
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.items()).containsExactly(items);
              assertThat(t.attempt()).isEqualTo(1);
            });
  }

  /**
   * The cause of the failure above, without a cluster: a stopped loop that was waiting for a slot
   * must not take a task once the slot frees up. A task put back on the queue after stopTaking()
   * (as Worker.close() hands back its own) has to stay there for another worker.
   */
  @Test
  void laneLoop_stoppedLoopWaitingForASlotTakesNoMoreTasks() throws InterruptedException {
    Fakes.QueueSource source = new Fakes.QueueSource();
    Fakes.CollectingSink sink = new Fakes.CollectingSink();
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger started = new AtomicInteger();
    ItemFunction held =
        item -> {
          started.incrementAndGet();
          if (!release.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the test never released this item");
          }
          return item;
        };
    ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().factory());
    LaneLoop loop =
        new LaneLoop(
            Lane.IO,
            1,
            true,
            source,
            chunk -> new ChunkRun(chunk, new Binding.Run(held), sink, "w1", System::nanoTime),
            executor);
    TaskChunk running = TaskChunk.ofItems("busy", 0, 0, new String[] {"1"});
    TaskChunk handedBack = TaskChunk.ofItems("busy", 1, 1, new String[] {"2"});
    source.offer(running);
    Thread loopThread = Thread.ofPlatform().name("lease-test-io-lane").start(loop);
    try {
      await().atMost(Duration.ofSeconds(5)).until(() -> started.get() == 1);
      // The only slot is busy: the loop waits for it.
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> loopThread.getState() == Thread.State.WAITING);

      loop.stopTaking();
      source.offer(handedBack);
      release.countDown();
      loopThread.join(5_000);

      assertThat(loopThread.isAlive()).isFalse();
      await().atMost(Duration.ofSeconds(5)).until(() -> sink.results.size() >= 1);
      assertThat(source.queue)
          .as("the task put back after stopTaking()")
          .containsExactly(handedBack);
      assertThat(source.productiveTakes()).hasSize(1);
      assertThat(sink.results).extracting(TaskResult::taskId).containsExactly(running.taskId());
    } finally {
      release.countDown();
      loop.stopTaking();
      loopThread.join(5_000);
      executor.shutdownNow();
      assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }
  }
}
