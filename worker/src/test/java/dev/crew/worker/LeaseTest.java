package dev.crew.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.collection.IQueue;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.crew.common.ClusterConfigs;
import dev.crew.common.ItemFunction;
import dev.crew.common.Job;
import dev.crew.common.JobState;
import dev.crew.common.Lane;
import dev.crew.common.Lease;
import dev.crew.common.Names;
import dev.crew.common.Params;
import dev.crew.common.TaskCatalog;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Leases with real Hazelcast members in this JVM: taking tasks under a lease, the oldest member's
 * reaper putting back the tasks of workers that left or went silent, the result sink releasing
 * leases, and a worker handing back at close the tasks still running at its drain timeout.
 */
@ExtendWith(QuickJoin.class)
class LeaseTest {
  private static final int PORT_BASE = 5811;

  /** Ports 5811..5840. */
  private static final int PORT_COUNT = 30;

  private static final Duration HEARTBEAT = Duration.ofMillis(200);

  private final String cluster = "lease-test-" + UUID.randomUUID();
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

  // ---------------------------------------------------------------------------------------------------------------
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
    LeaseReaper reaper =
        new LeaseReaper(member, leaseTimeout, HEARTBEAT, System::nanoTime, taskId -> false);
    reapers.add(reaper);
    reaper.start();
    return reaper;
  }

  private static IMap<String, Lease> leases(HazelcastInstance member) {
    return member.getMap(Names.LEASES);
  }

  private static IMap<String, TaskResult> results(HazelcastInstance member) {
    return member.getMap(Names.RESULTS);
  }

  private static IMap<String, TaskChunk> tasks(HazelcastInstance member) {
    return member.getMap(Names.TASKS);
  }

  private static IQueue<String> queue(HazelcastInstance member, Lane lane) {
    return member.getQueue(lane.queueName());
  }

  private static TaskChunk chunk(String jobId, long seq) {
    return TaskChunk.ofRange(jobId, seq, seq * 10, seq * 100, 10);
  }

  /** Leases, held by {@code holder}, of tasks 0..n-1 of {@code jobId} on the CPU lane. */
  private static List<TaskChunk> putLeases(
      IMap<String, Lease> leases, String jobId, int n, String holder) {
    List<TaskChunk> chunks = new ArrayList<>();
    for (int seq = 0; seq < n; seq++) {
      TaskChunk chunk = chunk(jobId, seq);
      leases.set(chunk.taskId(), Lease.of(chunk, Lane.CPU, holder, "holder:" + seq, 1_000L));
      chunks.add(chunk);
    }
    return chunks;
  }

  private static List<String> taskIds(List<TaskChunk> chunks) {
    return chunks.stream().map(TaskChunk::taskId).toList();
  }

  private static TaskResult resultOf(TaskChunk chunk, String worker) {
    String[] values = new String[chunk.count()];
    Arrays.fill(values, "1");
    return TaskResult.of(chunk, worker, 1_000, values, new String[chunk.count()]);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // LeasingTaskSource

  @Test
  void leasingTaskSource_takeRecordsALeasePerTask() throws InterruptedException {
    HazelcastInstance hz = startCluster(1).getFirst();
    IQueue<String> cpu = queue(hz, Lane.CPU);
    List<TaskChunk> offered = new ArrayList<>();
    for (int seq = 0; seq < 5; seq++) {
      offered.add(chunk("job", seq));
      tasks(hz).set(offered.getLast().taskId(), offered.getLast());
      assertThat(cpu.offer(offered.getLast().taskId())).isTrue();
    }
    String uuid = uuidOf(hz);
    LeasingTaskSource source = new LeasingTaskSource(hz, Lane.CPU, "w1", () -> 1_234L);

    List<TaskChunk> taken = source.take(3, Duration.ofSeconds(1));

    assertThat(taken).extracting(TaskChunk::taskId).containsExactly("job/0", "job/1", "job/2");
    assertThat(cpu).containsExactly("job/3", "job/4");
    IMap<String, Lease> leases = leases(hz);
    assertThat(leases.keySet()).containsExactlyInAnyOrder("job/0", "job/1", "job/2");
    for (TaskChunk chunk : taken) {
      Lease lease = leases.get(chunk.taskId());
      assertThat(lease.taskId()).isEqualTo(chunk.taskId());
      assertThat(lease.workerUuid()).isEqualTo(uuid);
      assertThat(lease.workerName()).isEqualTo("w1");
      assertThat(lease.lane()).isEqualTo(Lane.CPU);
      assertThat(lease.takenMillis()).isEqualTo(1_234L);
      assertThat(lease.jobId()).isEqualTo("job");
      assertThat(chunk).usingRecursiveComparison().isEqualTo(offered.get((int) chunk.seq()));
    }

    // An empty lane: nothing after the wait, and no lease.
    LeasingTaskSource io = new LeasingTaskSource(hz, Lane.IO, "w1", () -> 1_234L);
    Duration wait = Duration.ofMillis(300);
    long start = System.nanoTime();
    List<TaskChunk> none = io.take(3, wait);
    Duration waited = Duration.ofNanos(System.nanoTime() - start);

    assertThat(none).isEmpty();
    assertThat(waited).isGreaterThanOrEqualTo(wait.minusMillis(30));
    assertThat(leases.keySet()).containsExactlyInAnyOrder("job/0", "job/1", "job/2");
    assertThat(cpu).hasSize(2);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // LeaseReaper

  @Test
  void reaper_requeuesLeasesOfAWorkerThatLeft() {
    List<HazelcastInstance> ab = startCluster(2);
    HazelcastInstance a = ab.get(0);
    HazelcastInstance b = ab.get(1);
    List<TaskChunk> chunks = putLeases(leases(a), "left", 3, uuidOf(b));
    startReaper(a, Duration.ofSeconds(10));
    IQueue<String> cpu = queue(a, Lane.CPU);
    IMap<String, Lease> leases = leases(a);
    // B's leases stay while B is in the cluster.
    assertThat(cpu).isEmpty();
    assertThat(leases.size()).isEqualTo(3);

    long terminated = System.nanoTime();
    b.getLifecycleService().terminate();
    AtomicLong requeued = new AtomicLong();
    await()
        .atMost(Duration.ofSeconds(8))
        .until(
            () -> {
              if (cpu.size() == 3 && leases.isEmpty()) {
                requeued.set(System.nanoTime());
                return true;
              }
              return false;
            });
    Duration latency = Duration.ofNanos(requeued.get() - terminated);
    System.err.printf(
        "LeaseTest: tasks of a departed worker requeued %d ms after it terminated%n",
        latency.toMillis());

    assertThat(latency).isLessThan(Duration.ofSeconds(5));
    assertThat(cpu).containsExactlyInAnyOrderElementsOf(taskIds(chunks));
    assertThat(a.<String, Long>getMap(Names.HEARTBEATS).containsKey(uuidOf(a))).isTrue();
  }

  @Test
  void reaper_requeuesLeasesOfASilentWorker() {
    List<HazelcastInstance> ac = startCluster(2);
    HazelcastInstance a = ac.get(0);
    HazelcastInstance c = ac.get(1);
    // C is alive but runs no reaper: its heartbeat stays where it is.
    IMap<String, Long> heartbeats = a.getMap(Names.HEARTBEATS);
    heartbeats.set(uuidOf(c), 7L);
    List<TaskChunk> chunks = putLeases(leases(a), "silent", 3, uuidOf(c));
    IQueue<String> cpu = queue(a, Lane.CPU);
    IMap<String, Lease> leases = leases(a);
    Duration leaseTimeout = Duration.ofSeconds(1);

    long started = System.nanoTime();
    startReaper(a, leaseTimeout);
    // The reaper runs (its own heartbeat moves) but C's tasks stay put until C has been silent for
    // the lease timeout.
    await().atMost(Duration.ofSeconds(2)).until(() -> heartbeats.getOrDefault(uuidOf(a), 0L) >= 2);
    assertThat(leases.size()).isEqualTo(3);

    AtomicLong requeued = new AtomicLong();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> {
              if (cpu.size() == 3 && leases.isEmpty()) {
                requeued.set(System.nanoTime());
                return true;
              }
              return false;
            });
    Duration after = Duration.ofNanos(requeued.get() - started);
    System.err.printf(
        "LeaseTest: tasks of a silent worker requeued %d ms after the reaper started%n",
        after.toMillis());

    // Never before the timeout (the cut-off point is the reaper's own clock, read after it
    // started).
    assertThat(after).isGreaterThan(leaseTimeout).isLessThan(leaseTimeout.plusSeconds(3));
    assertThat(cpu).containsExactlyInAnyOrderElementsOf(taskIds(chunks));
    assertThat(c.getLifecycleService().isRunning()).isTrue();
    assertThat(a.getCluster().getMembers()).hasSize(2);
  }

  @Test
  void reaper_dropsLeaseWhoseTaskAlreadyHasAResult() {
    HazelcastInstance a = startCluster(1).getFirst();
    String departed = UUID.randomUUID().toString(); // never (or no longer) a member
    List<TaskChunk> chunks = putLeases(leases(a), "done", 2, departed);
    TaskChunk finished = chunks.get(0);
    TaskChunk unfinished = chunks.get(1);
    results(a).set(finished.taskId(), resultOf(finished, "gone:1"));
    IQueue<String> cpu = queue(a, Lane.CPU);
    IMap<String, Lease> leases = leases(a);

    startReaper(a, Duration.ofSeconds(10));
    await().atMost(Duration.ofSeconds(5)).until(leases::isEmpty);

    // The unfinished task went back (the reaper did reap this holder); the finished one did not.
    assertThat(cpu).containsExactly(unfinished.taskId());
    await()
        .during(Duration.ofMillis(400))
        .atMost(Duration.ofSeconds(1))
        .until(() -> cpu.size() == 1);
    assertThat(cpu).containsExactly(unfinished.taskId());
    assertThat(results(a).get(finished.taskId()).worker()).isEqualTo("gone:1");
  }

  @Test
  void reaper_onlyTheOldestReaps() {
    List<HazelcastInstance> abc = startCluster(3);
    HazelcastInstance a = abc.get(0);
    HazelcastInstance b = abc.get(1);
    HazelcastInstance c = abc.get(2);
    List<TaskChunk> chunks = putLeases(leases(a), "once", 4, uuidOf(c));
    startReaper(a, Duration.ofSeconds(10));
    startReaper(b, Duration.ofSeconds(10));
    IMap<String, Long> heartbeats = a.getMap(Names.HEARTBEATS);
    await().atMost(Duration.ofSeconds(2)).until(() -> heartbeats.getOrDefault(uuidOf(b), 0L) >= 2);
    IQueue<String> cpu = queue(a, Lane.CPU);
    IMap<String, Lease> leases = leases(a);

    // Both reapers learn of C's departure at about the same moment and check at once.
    c.getLifecycleService().terminate();
    await()
        .atMost(Duration.ofSeconds(8))
        .until(() -> cpu.size() >= chunks.size() && leases.isEmpty());
    long bBeatsBefore = heartbeats.get(uuidOf(b));
    // Several more passes of both reapers: nothing is put back a second time.
    await()
        .during(Duration.ofMillis(800))
        .atMost(Duration.ofSeconds(2))
        .until(() -> cpu.size() == chunks.size() && leases.isEmpty());

    assertThat(heartbeats.get(uuidOf(b))).as("B's reaper kept running").isGreaterThan(bBeatsBefore);
    assertThat(cpu).containsExactlyInAnyOrderElementsOf(taskIds(chunks));
  }

  @Test
  void reaper_auditQueuesAgainATaskFoundNowhereTwice() {
    HazelcastInstance a = startCluster(1).getFirst();
    IMap<String, Job> jobs = a.getMap(Names.JOBS);
    jobs.set("lost", Job.submitting("lost", "fib", Lane.CPU, Params.NONE, 1L).queued(30, 3));
    jobs.set(
        "dropped",
        Job.submitting("dropped", "fib", Lane.CPU, Params.NONE, 1L).withState(JobState.CANCELLED));
    IMap<String, TaskChunk> tasks = tasks(a);
    IQueue<String> cpu = queue(a, Lane.CPU);
    // lost/0 was taken by a worker that died before its lease; lost/1 is queued; lost/2 runs under
    // this member's lease.
    for (int seq = 0; seq < 3; seq++) {
      tasks.set(chunk("lost", seq).taskId(), chunk("lost", seq));
    }
    assertThat(cpu.offer("lost/1")).isTrue();
    leases(a)
        .set(
            "lost/2",
            Lease.of(chunk("lost", 2), Lane.CPU, uuidOf(a), "me", System.currentTimeMillis()));
    tasks.set("dropped/0", chunk("dropped", 0));
    Duration leaseTimeout = Duration.ofSeconds(1);

    long started = System.nanoTime();
    LeaseReaper reaper =
        new LeaseReaper(a, leaseTimeout, HEARTBEAT, System::nanoTime, "lost/2"::equals);
    reapers.add(reaper);
    reaper.start();
    await().atMost(Duration.ofSeconds(6)).until(() -> cpu.contains("lost/0"));
    Duration after = Duration.ofNanos(System.nanoTime() - started);
    System.err.printf(
        "LeaseTest: a task lost between queue and lease was queued again after %d ms%n",
        after.toMillis());

    // Two audits, a lease timeout apart: never at the first sight.
    assertThat(after).isGreaterThanOrEqualTo(leaseTimeout.multipliedBy(2));
    assertThat(cpu).containsExactlyInAnyOrder("lost/1", "lost/0");
    assertThat(tasks.keySet())
        .as("a cancelled job's task is forgotten")
        .containsExactlyInAnyOrder("lost/0", "lost/1", "lost/2");
    // Queued once, not at every audit.
    await()
        .during(Duration.ofMillis(2_500))
        .atMost(Duration.ofSeconds(4))
        .until(() -> cpu.size() == 2);
  }

  @Test
  void leasingTaskSource_idQueuedTwiceRunsUnderTheFirstLeaseOnly() throws InterruptedException {
    HazelcastInstance hz = startCluster(1).getFirst();
    TaskChunk twice = chunk("twice", 0);
    tasks(hz).set(twice.taskId(), twice);
    IQueue<String> cpu = queue(hz, Lane.CPU);
    assertThat(cpu.offer(twice.taskId())).isTrue();
    assertThat(cpu.offer(twice.taskId())).isTrue();
    LeasingTaskSource source = new LeasingTaskSource(hz, Lane.CPU, "w1", () -> 5L);

    assertThat(source.take(1, Duration.ofSeconds(1)))
        .extracting(TaskChunk::taskId)
        .containsExactly("twice/0");
    assertThat(source.take(1, Duration.ofSeconds(1))).isEmpty();
    assertThat(cpu).isEmpty();
    assertThat(leases(hz).get("twice/0").takenMillis()).isEqualTo(5L);

    // An id whose task was recorded (and so deleted) meanwhile: taken, nothing to run, no lease
    // left behind.
    tasks(hz).delete("twice/0");
    leases(hz).delete("twice/0");
    assertThat(cpu.offer("twice/0")).isTrue();
    assertThat(source.take(1, Duration.ofSeconds(1))).isEmpty();
    assertThat(leases(hz).isEmpty()).isTrue();
  }

  @Test
  void reaper_handsBackOwnLeasesOnTasksNotRunningHere() {
    HazelcastInstance a = startCluster(1).getFirst();
    IMap<String, Lease> leases = leases(a);
    long longAgo = System.currentTimeMillis() - 60_000;
    leases.set(
        "own/0", Lease.of(chunk("own", 0), Lane.CPU, uuidOf(a), "me", longAgo)); // running here
    leases.set(
        "own/1", Lease.of(chunk("own", 1), Lane.IO, uuidOf(a), "me", longAgo)); // not running
    leases.set(
        "own/2",
        Lease.of(chunk("own", 2), Lane.CPU, uuidOf(a), "me", System.currentTimeMillis() + 60_000));
    LeaseReaper reaper =
        new LeaseReaper(a, Duration.ofSeconds(1), HEARTBEAT, System::nanoTime, "own/0"::equals);
    reapers.add(reaper);
    reaper.start();

    await().atMost(Duration.ofSeconds(5)).until(() -> queue(a, Lane.IO).contains("own/1"));
    assertThat(leases.keySet()).containsExactlyInAnyOrder("own/0", "own/2");
    assertThat(queue(a, Lane.CPU)).isEmpty();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // MapResultSink

  @Test
  void mapResultSink_firstResultWinsAndLeaseIsReleased() throws InterruptedException {
    HazelcastInstance hz = startCluster(1).getFirst();
    IMap<String, TaskResult> results = results(hz);
    IMap<String, Lease> leases = leases(hz);
    TaskChunk chunk = TaskChunk.ofItems("sink", 0, 0, new String[] {"a", "b"});
    TaskChunk other = TaskChunk.ofItems("sink", 1, 2, new String[] {"c"});
    leases.set(chunk.taskId(), Lease.of(chunk, Lane.CPU, UUID.randomUUID().toString(), "w1", 1L));
    leases.set(other.taskId(), Lease.of(other, Lane.CPU, UUID.randomUUID().toString(), "w1", 1L));
    IMap<String, TaskChunk> tasks = tasks(hz);
    tasks.set(chunk.taskId(), chunk);
    tasks.set(other.taskId(), other);
    MapResultSink sink = new MapResultSink(results, leases, tasks);
    TaskResult first = resultOf(chunk, "w1");
    TaskResult second = resultOf(chunk.nextAttempt(), "w2");

    // Writes are asynchronous; "first" is the first complete write, so let it complete before the
    // second starts.
    sink.record(first);
    sink.flush();
    assertThat(sink.duplicates()).isZero();
    assertThat(leases.containsKey(chunk.taskId())).isFalse();
    sink.record(second);
    sink.flush();

    assertThat(sink.duplicates()).isEqualTo(1);
    TaskResult stored = results.get(chunk.taskId());
    assertThat(stored.worker()).isEqualTo("w1");
    assertThat(stored.attempt()).isZero();
    assertThat(results.keySet()).containsExactly(chunk.taskId());
    assertThat(leases.containsKey(chunk.taskId())).isFalse();
    assertThat(leases.keySet()).as("other tasks' leases stay").containsExactly(other.taskId());
    assertThat(tasks.keySet())
        .as("a recorded task leaves the task map; others stay")
        .containsExactly(other.taskId());
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Worker.close

  @Test
  void workerClose_handsBackTasksStillRunningAtTheDrainTimeout() throws Exception {
    HazelcastInstance plain = startCluster(1).getFirst();
    Worker worker = startWorker(plain, 2);
    closeHandsBackTheSleepingTask(plain, worker);
  }

  /**
   * As above, but the sleeping item holds the lane's only slot, so the lane loop is blocked waiting
   * for a slot when close() begins; the slot frees up when close() interrupts the item, after the
   * task was handed back.
   */
  @Test
  void workerClose_handsBackTaskThatHoldsTheLanesOnlySlot() throws Exception {
    HazelcastInstance plain = startCluster(1).getFirst();
    Worker worker = startWorker(plain, 1);
    closeHandsBackTheSleepingTask(plain, worker);
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
    plain
        .<String, Job>getMap(Names.JOBS)
        .set(
            "sleepy",
            Job.submitting("sleepy", "sleep", Lane.IO, Params.NONE, System.currentTimeMillis())
                .queued(1, 1));
    IQueue<String> io = queue(plain, Lane.IO);
    TaskChunk sleeper = TaskChunk.ofItems("sleepy", 0, 0, new String[] {"60000"});
    tasks(plain).set(sleeper.taskId(), sleeper);
    assertThat(io.offer(sleeper.taskId())).isTrue();
    IMap<String, Lease> leases = leases(plain);
    String workerUuid = uuidOf(worker.hazelcast());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              Lease lease = leases.get(sleeper.taskId());
              return lease != null && lease.workerUuid().equals(workerUuid);
            });
    assertThat(io).isEmpty();

    long start = System.nanoTime();
    CompletableFuture<Void> closing = new CompletableFuture<>();
    Thread.ofPlatform()
        .name("lease-test-close")
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
    // 60 s sleep; the
    // rest is the member's graceful shutdown, slower on a loaded host, so only a generous bound is
    // checked.
    closing.get(10, TimeUnit.SECONDS);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    System.err.printf("LeaseTest: worker.close() returned after %d ms%n", took.toMillis());

    assertThat(worker.hazelcast().getLifecycleService().isRunning()).isFalse();
    await().atMost(Duration.ofSeconds(5)).until(() -> plain.getCluster().getMembers().size() == 1);
    assertThat(io).containsExactly(sleeper.taskId());
    assertThat(tasks(plain).get(sleeper.taskId()).items()).containsExactly("60000");
    assertThat(leases.isEmpty()).as("leases left: %s", leases.values()).isTrue();
    assertThat(results(plain).containsKey(sleeper.taskId())).isFalse();
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
