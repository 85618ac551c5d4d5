package dev.crew.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.collection.IQueue;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.crew.common.ClusterConfigs;
import dev.crew.common.Lane;
import dev.crew.common.Lease;
import dev.crew.common.Names;
import dev.crew.common.TaskChunk;
import dev.crew.worker.stats.WorkerEvents;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The put-back of a lost worker's tasks with real members in this JVM, while partitions move: a
 * worker killed right after another member joined must have all its tasks put back at once, in one
 * pass, whichever member held their leases.
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

  /** The put-backs a member reported, in order: how many tasks each put back. */
  private static final class Recorded implements WorkerEvents {
    final List<Integer> putBacks = new CopyOnWriteArrayList<>();

    @Override
    public void requeued(String worker, String why, int tasks) {
      putBacks.add(tasks);
    }

    @Override
    public void refused(String what, String reason) {}

    @Override
    public void duplicateDropped(String taskId) {}
  }

  @Test
  void reaper_putsBackEveryTaskOfAWorkerKilledRightAfterAJoin() {
    for (int round = 0; round < ROUNDS; round++) {
      String cluster = "put-back-" + UUID.randomUUID();
      HazelcastInstance oldest = member(cluster, PORT_BASE);
      HazelcastInstance victim = member(cluster, portOf(oldest));
      await().atMost(Duration.ofSeconds(30)).until(() -> safe(oldest, victim));
      holdLeases(victim, "round" + round);
      Recorded events = reaperWithEvents(oldest);
      startReaper(victim);

      // A third member joins: partitions start to move; the victim dies while they do.
      member(cluster, portOf(oldest));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> oldest.getCluster().getMembers().size() == 3);
      killAndExpectOnePutBack(round, victim, oldest, events);
    }
  }

  /**
   * The bench's recovery cell: the victim alone takes the tasks, a survivor joins, and once the
   * cluster is safe again the victim (the oldest member, so the survivor becomes the reaper) dies.
   */
  @Test
  void reaper_putsBackEveryTaskOfTheOldestKilledOnceTheJoinerIsSafe() {
    for (int round = 0; round < ROUNDS; round++) {
      String cluster = "put-back-" + UUID.randomUUID();
      HazelcastInstance victim = member(cluster, PORT_BASE);
      holdLeases(victim, "round" + round);
      startReaper(victim);
      HazelcastInstance survivor = member(cluster, portOf(victim));
      Recorded events = reaperWithEvents(survivor);
      await().atMost(Duration.ofSeconds(30)).until(() -> safe(victim, survivor));
      killAndExpectOnePutBack(round, victim, survivor, events);
    }
  }

  /**
   * A put-back whose queue has no room (full, or out of reach while partitions move) is queued as
   * soon as it has, not left for the audit a lease timeout or two later.
   */
  @Test
  void reaper_queuesALostTaskOnceItsQueueHasRoomAgain() {
    String cluster = "put-back-" + UUID.randomUUID();
    HazelcastInstance survivor = member(cluster, PORT_BASE);
    HazelcastInstance victim = member(cluster, portOf(survivor));
    await().atMost(Duration.ofSeconds(30)).until(() -> safe(survivor, victim));
    IQueue<String> cpu = survivor.getQueue(Lane.CPU.queueName());
    List<String> fillers = new ArrayList<>();
    for (int i = 0; i < ClusterConfigs.QUEUE_CAPACITY; i++) {
      fillers.add("filler/" + i);
    }
    assertThat(cpu.addAll(fillers)).isTrue();
    holdLeases(victim, "full");
    Recorded events = reaperWithEvents(survivor);
    victim.getLifecycleService().terminate();
    // The put-back ends the leases, then gives up on the full queue.
    await().atMost(Duration.ofSeconds(20)).until(() -> !events.putBacks.isEmpty());
    assertThat(events.putBacks).containsExactly(0);
    assertThat(survivor.<String, Lease>getMap(Names.LEASES).isEmpty()).isTrue();

    long roomAt = System.nanoTime();
    List<String> drained = new ArrayList<>();
    cpu.drainTo(drained, HELD);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> cpu.stream().filter(id -> id.startsWith("full/")).count() == HELD);
    System.err.printf(
        "PutBackTest: the lost tasks queued %d ms after their queue had room%n",
        (System.nanoTime() - roomAt) / 1_000_000);
  }

  /** Stores {@link #HELD} tasks of {@code jobId} with their leases held by {@code holder}. */
  private static void holdLeases(HazelcastInstance holder, String jobId) {
    String uuid = holder.getCluster().getLocalMember().getUuid().toString();
    IMap<String, Lease> leases = holder.getMap(Names.LEASES);
    IMap<String, TaskChunk> tasks = holder.getMap(Names.TASKS);
    for (int seq = 0; seq < HELD; seq++) {
      TaskChunk chunk = TaskChunk.ofRange(jobId, seq, seq, seq + 1, 1);
      tasks.set(chunk.taskId(), chunk);
      leases.set(chunk.taskId(), Lease.of(chunk, Lane.CPU, uuid, "victim", 1_000L));
    }
  }

  private Recorded reaperWithEvents(HazelcastInstance member) {
    Recorded events = new Recorded();
    member.getUserContext().put(WorkerEvents.CONTEXT_KEY, events);
    startReaper(member);
    return events;
  }

  private void killAndExpectOnePutBack(
      int round, HazelcastInstance victim, HazelcastInstance reaper, Recorded events) {
    long killed = System.nanoTime();
    victim.getLifecycleService().terminate();
    IQueue<String> cpu = reaper.getQueue(Lane.CPU.queueName());
    await().atMost(Duration.ofSeconds(10)).until(() -> cpu.size() == HELD);
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
    LeaseReaper reaper =
        new LeaseReaper(member, LEASE_TIMEOUT, HEARTBEAT, System::nanoTime, taskId -> false);
    reapers.add(reaper);
    reaper.start();
  }

  private static int portOf(HazelcastInstance member) {
    return member.getCluster().getLocalMember().getAddress().getPort();
  }
}
