package dev.crew.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.crew.common.ClusterConfigs;
import dev.crew.common.Job;
import dev.crew.common.Lane;
import dev.crew.common.Names;
import dev.crew.common.Params;
import dev.crew.common.TaskChunk;
import dev.crew.common.ledger.Claimant;
import dev.crew.common.ledger.HazelcastTaskLedger;
import dev.crew.common.ledger.JobTally;
import dev.crew.common.ledger.LedgerLayout;
import dev.crew.common.ledger.LedgerPeek;
import dev.crew.common.ledger.TaskLedger;
import dev.crew.worker.stats.WorkerEvents;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The put-back of a lost worker's claims with real members in this JVM, while partitions move: a
 * worker killed right after another member joined must have all its tasks put back at once, in one
 * pass, whichever member holds their blocks.
 */
@ExtendWith(QuickJoin.class)
class PutBackTest {
  private static final int PORT_BASE = 5871;
  private static final int PORT_COUNT = 20;

  /** Longer than the test: a put-back seen here is the departure check's, not the audit's. */
  private static final Duration LEASE_TIMEOUT = Duration.ofSeconds(60);

  private static final Duration HEARTBEAT = Duration.ofMillis(200);
  private static final int HELD = 24;
  private static final int ROUNDS = 4;

  private final List<HazelcastInstance> members = new ArrayList<>();
  private final List<LeaseReaper> reapers = new ArrayList<>();

  @BeforeAll
  static void quickPolls() {
    Awaitility.setDefaultPollInterval(Duration.ofMillis(10));
    Awaitility.setDefaultPollDelay(Duration.ZERO);
  }

  @AfterEach
  void stopEverything() {
    reapers.forEach(LeaseReaper::close);
    reapers.clear();
    List<HazelcastInstance> newestFirst = new ArrayList<>(members);
    Collections.reverse(newestFirst);
    newestFirst.forEach(m -> m.getLifecycleService().terminate());
    members.clear();
  }

  @Test
  void reaper_putsBackEveryTaskOfAWorkerKilledRightAfterAJoin() throws InterruptedException {
    for (int round = 0; round < ROUNDS; round++) {
      String cluster = "put-back-" + UUID.randomUUID();
      HazelcastInstance oldest = member(cluster, PORT_BASE);
      HazelcastInstance victim = member(cluster, portOf(oldest));
      await().atMost(Duration.ofSeconds(30)).until(() -> safe(oldest, victim));
      holdClaims(victim, "round" + round);
      RecordedEvents events = reaperWithEvents(oldest);
      startReaper(victim);

      // A third member joins: partitions start to move; the victim dies while they do.
      member(cluster, portOf(oldest));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> oldest.getCluster().getMembers().size() == 3);
      killAndExpectOnePutBack(round, "round" + round, victim, oldest, events);
    }
  }

  /**
   * The bench's recovery cell: the victim alone takes the tasks, a survivor joins, and once the
   * cluster is safe again the victim (the oldest member, so the survivor becomes the reaper) dies.
   */
  @Test
  void reaper_putsBackEveryTaskOfTheOldestKilledOnceTheJoinerIsSafe() throws InterruptedException {
    for (int round = 0; round < ROUNDS; round++) {
      String cluster = "put-back-" + UUID.randomUUID();
      HazelcastInstance victim = member(cluster, PORT_BASE);
      holdClaims(victim, "round" + round);
      startReaper(victim);
      HazelcastInstance survivor = member(cluster, portOf(victim));
      RecordedEvents events = reaperWithEvents(survivor);
      await().atMost(Duration.ofSeconds(30)).until(() -> safe(victim, survivor));
      killAndExpectOnePutBack(round, "round" + round, victim, survivor, events);
    }
  }

  /**
   * A put-back that finds every shard of its lane full (or out of reach while partitions move) is
   * not lost: the oldest member's audit offers its block once a shard has room again.
   */
  @Test
  void reaper_auditOffersALostTaskOnceItsLaneHasRoomAgain() throws InterruptedException {
    String cluster = "put-back-" + UUID.randomUUID();
    HazelcastInstance survivor = member(cluster, PORT_BASE);
    HazelcastInstance victim = member(cluster, portOf(survivor));
    await().atMost(Duration.ofSeconds(30)).until(() -> safe(survivor, victim));
    holdClaims(victim, "full");
    assertThat(LedgerPeek.fillShards(survivor, Lane.CPU)).isPositive();
    // The audit runs once per lease timeout: a short one, so that two audits fit in the test.
    Duration leaseTimeout = Duration.ofSeconds(1);
    RecordedEvents events = new RecordedEvents();
    survivor.getUserContext().put(WorkerEvents.CONTEXT_KEY, events);
    startReaper(survivor, leaseTimeout);
    victim.getLifecycleService().terminate();
    TaskLedger ledger = ledgerOn(survivor);
    // The put-back queues the tasks again, but their block's key finds no room in any shard.
    await().atMost(Duration.ofSeconds(20)).until(() -> !events.putBacks.isEmpty());
    assertThat(events.putBacks).containsExactly(HELD);
    assertThat(ledger.tally("full").states()).isEqualTo(new JobTally(HELD, 0, 0, 0));
    assertThat(LedgerPeek.keysOf(survivor, Lane.CPU, "full")).isZero();

    long roomAt = System.nanoTime();
    LedgerPeek.emptyFillers(survivor, Lane.CPU);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> LedgerPeek.keysOf(survivor, Lane.CPU, "full") > 0);
    System.err.printf(
        "PutBackTest: the lost tasks' block offered %d ms after its lane had room%n",
        (System.nanoTime() - roomAt) / 1_000_000);
    List<TaskChunk> claimed = claimAll(ledger, survivor);
    assertThat(claimed).hasSize(HELD).allSatisfy(t -> assertThat(t.attempt()).isEqualTo(1));
  }

  /**
   * A worker that dies between polling a block's key and claiming from it leaves the block's tasks
   * queued under no key: no put-back finds them (no claim holds them). The oldest member's audits
   * after the departure offer the key again at once, not a lease timeout or two later (60 s here).
   */
  @Test
  void reaper_offersAgainAtOnceABlockWhoseKeyAKilledClaimerHadPolled() throws InterruptedException {
    String cluster = "put-back-" + UUID.randomUUID();
    HazelcastInstance survivor = member(cluster, PORT_BASE);
    HazelcastInstance victim = member(cluster, portOf(survivor));
    await().atMost(Duration.ofSeconds(30)).until(() -> safe(survivor, victim));
    String jobId = "polled";
    List<TaskChunk> tasks = storeJob(victim, jobId);
    int lost = 0;
    for (TaskChunk task : tasks) {
      lost += LedgerPeek.loseKey(victim, Lane.CPU, task);
    }
    assertThat(lost).as("keys the dying claimer polled").isPositive();
    assertThat(LedgerPeek.keysOf(survivor, Lane.CPU, jobId)).isZero();
    startReaper(survivor);

    long killed = System.nanoTime();
    victim.getLifecycleService().terminate();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> LedgerPeek.keysOf(survivor, Lane.CPU, jobId) > 0);
    System.err.printf(
        "PutBackTest: the polled block's key offered again %d ms after the kill%n",
        (System.nanoTime() - killed) / 1_000_000);
    TaskLedger ledger = ledgerOn(survivor);
    List<TaskChunk> claimed = claimAll(ledger, survivor);
    assertThat(claimed)
        .extracting(TaskChunk::taskId)
        .containsExactlyInAnyOrderElementsOf(tasks.stream().map(TaskChunk::taskId).toList());
  }

  /**
   * A heartbeat that is not a number, put at a member's key by someone else, reads as none: the
   * reaper still judges that member, and puts back the claims of one that sends no heartbeat (here
   * a member that runs no reaper, so never beats).
   */
  @Test
  void reaper_readsAHeartbeatThatIsNotANumberAsNone_andPutsBackASilentMembersClaims()
      throws InterruptedException {
    String cluster = "put-back-" + UUID.randomUUID();
    HazelcastInstance survivor = member(cluster, PORT_BASE);
    HazelcastInstance silent = member(cluster, portOf(survivor));
    await().atMost(Duration.ofSeconds(30)).until(() -> safe(survivor, silent));
    holdClaims(silent, "silent");
    survivor.<String, Object>getMap(Names.HEARTBEATS).set(uuidOf(silent), "not a number");
    RecordedEvents events = new RecordedEvents();
    survivor.getUserContext().put(WorkerEvents.CONTEXT_KEY, events);
    startReaper(survivor, Duration.ofSeconds(1));

    await().atMost(Duration.ofSeconds(15)).until(() -> !events.putBacks.isEmpty());
    assertThat(events.putBacks).containsExactly(HELD);
    assertThat(ledgerOn(survivor).tally("silent").states()).isEqualTo(new JobTally(HELD, 0, 0, 0));
  }

  /**
   * Stores {@link #HELD} tasks of job {@code jobId} (its record too, so no audit forgets it), all
   * claimed by {@code holder}.
   */
  private static void holdClaims(HazelcastInstance holder, String jobId)
      throws InterruptedException {
    storeJob(holder, jobId);
    TaskLedger ledger = ledgerOn(holder);
    Claimant victim = new Claimant("victim", uuidOf(holder));
    List<TaskChunk> held = new ArrayList<>();
    while (held.size() < HELD) {
      List<TaskChunk> claimed = ledger.claim(Lane.CPU, victim, HELD, Duration.ofSeconds(5));
      assertThat(claimed).as("claims of job %s", jobId).isNotEmpty();
      held.addAll(claimed);
    }
    assertThat(ledger.tally(jobId).states()).isEqualTo(new JobTally(0, HELD, 0, 0));
  }

  /** The {@link #HELD} tasks another claimant on {@code member} claims from {@code ledger}. */
  private static List<TaskChunk> claimAll(TaskLedger ledger, HazelcastInstance member) {
    Claimant heir = new Claimant("heir", uuidOf(member));
    List<TaskChunk> claimed = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> {
              claimed.addAll(ledger.claim(Lane.CPU, heir, HELD, Duration.ZERO));
              return claimed.size() >= HELD;
            });
    return claimed;
  }

  /** Stores {@link #HELD} queued tasks of job {@code jobId}, and its record. */
  private static List<TaskChunk> storeJob(HazelcastInstance member, String jobId)
      throws InterruptedException {
    member
        .<String, Job>getMap(Names.JOBS)
        .set(
            jobId,
            Job.submitting(jobId, "fib", Lane.CPU, Params.NONE, System.currentTimeMillis())
                .queued(HELD, HELD));
    List<TaskChunk> tasks = new ArrayList<>();
    for (int seq = 0; seq < HELD; seq++) {
      tasks.add(TaskChunk.ofRange(jobId, seq, seq, seq + 1, 1));
    }
    ledgerOn(member).store(Lane.CPU, tasks);
    return tasks;
  }

  private static TaskLedger ledgerOn(HazelcastInstance member) {
    return new HazelcastTaskLedger(
        member, LedgerLayout.DEFAULT, LEASE_TIMEOUT, System::currentTimeMillis);
  }

  private RecordedEvents reaperWithEvents(HazelcastInstance member) {
    RecordedEvents events = new RecordedEvents();
    member.getUserContext().put(WorkerEvents.CONTEXT_KEY, events);
    startReaper(member);
    return events;
  }

  private void killAndExpectOnePutBack(
      int round,
      String jobId,
      HazelcastInstance victim,
      HazelcastInstance reaper,
      RecordedEvents events) {
    long killed = System.nanoTime();
    victim.getLifecycleService().terminate();
    TaskLedger ledger = ledgerOn(reaper);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> ledger.tally(jobId).states().equals(new JobTally(HELD, 0, 0, 0)));
    long allBackMillis = (System.nanoTime() - killed) / 1_000_000;
    await().atMost(Duration.ofSeconds(5)).until(() -> !events.putBacks.isEmpty());
    System.err.printf(
        "PutBackTest round %d: put-backs %s, all %d back %d ms after the kill%n",
        round, events.putBacks, HELD, allBackMillis);
    assertThat(events.putBacks)
        .as("round %d: one put-back of every task", round)
        .containsExactly(HELD);
    // The time is printed, not asserted: the 1 s target is the bench's recovery cell's to measure.
    // The
    // 10 s wait above already tells the departure check (this test's point) from the audit (2 x 60
    // s).
    stopEverything();
  }

  private static boolean safe(HazelcastInstance... all) {
    for (HazelcastInstance member : all) {
      if (member.getCluster().getMembers().size() != all.length
          || !member.getPartitionService().isClusterSafe()) {
        return false;
      }
    }
    return true;
  }

  private HazelcastInstance member(String cluster, int joinPort) {
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

  private void startReaper(HazelcastInstance member) {
    startReaper(member, LEASE_TIMEOUT);
  }

  private void startReaper(HazelcastInstance member, Duration leaseTimeout) {
    LeaseReaper reaper =
        new LeaseReaper(
            member,
            new HazelcastTaskLedger(
                member, LedgerLayout.DEFAULT, leaseTimeout, System::currentTimeMillis),
            leaseTimeout,
            HEARTBEAT,
            System::nanoTime,
            Set::of);
    reapers.add(reaper);
    reaper.start();
  }

  private static int portOf(HazelcastInstance member) {
    return member.getCluster().getLocalMember().getAddress().getPort();
  }

  private static String uuidOf(HazelcastInstance member) {
    return member.getCluster().getLocalMember().getUuid().toString();
  }
}
