package dev.crew.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.collection.IQueue;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import dev.crew.common.ClusterConfigs;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two real workers in this JVM, on loopback, under a cluster name no one else uses. */
@ExtendWith(QuickJoin.class)
class WorkerClusterTest {
  private static final int PORT_BASE = 5801;

  private final String cluster = "test-" + UUID.randomUUID();
  private final List<Worker> workers = new ArrayList<>();

  @BeforeAll
  static void quickPolls() {
    Awaitility.setDefaultPollInterval(Duration.ofMillis(20));
    Awaitility.setDefaultPollDelay(Duration.ZERO);
  }

  @BeforeEach
  void startTwoWorkers() {
    Worker first = start(List.of("127.0.0.1"));
    // The second joins the first where it actually listens, even if another build took port 5801.
    int firstPort = first.hazelcast().getCluster().getLocalMember().getAddress().getPort();
    Worker second = start(List.of("127.0.0.1:" + firstPort));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                first.hazelcast().getCluster().getMembers().size() == 2
                    && second.hazelcast().getCluster().getMembers().size() == 2);
    assertThat(first.name()).isNotEqualTo(second.name());
  }

  private Worker start(List<String> join) {
    Worker worker =
        Worker.start(
            new Worker.Settings(
                new ClusterConfigs.Membership(cluster, join, false, "127.0.0.1", PORT_BASE, false),
                2,
                50,
                1,
                Duration.ofSeconds(5)),
            TaskCatalog.builtIn());
    workers.add(worker);
    return worker;
  }

  @AfterEach
  void closeWorkers() {
    workers.forEach(Worker::close);
    assertThat(workers)
        .allSatisfy(w -> assertThat(w.hazelcast().getLifecycleService().isRunning()).isFalse());
  }

  private HazelcastInstance member() {
    return workers.getFirst().hazelcast();
  }

  private IMap<String, TaskResult> results() {
    return member().getMap(Names.RESULTS);
  }

  private IQueue<String> cpuQueue() {
    return member().getQueue(Lane.CPU.queueName());
  }

  private IMap<String, TaskChunk> tasks() {
    return member().getMap(Names.TASKS);
  }

  /** Stores a task and queues its id, as a coordinator does. */
  private boolean enqueue(TaskChunk chunk) {
    tasks().set(chunk.taskId(), chunk);
    return cpuQueue().offer(chunk.taskId());
  }

  private void putJob(String id, long tasks, JobState state) {
    Job job =
        Job.submitting(id, "fib", Lane.CPU, Params.NONE, System.currentTimeMillis())
            .queued(tasks, tasks);
    member()
        .<String, Job>getMap(Names.JOBS)
        .put(id, state == JobState.RUNNING ? job : job.withState(state));
  }

  private static long fib(int n) {
    long a = 0;
    long b = 1;
    for (int i = 0; i < n; i++) {
      long next = a + b;
      a = b;
      b = next;
    }
    return a;
  }

  /** Small enough to be quick, big enough (a few ms) that both workers get a share. */
  private static int nOf(long seq) {
    return 22 + (int) (seq % 7);
  }

  @Test
  void workers_runEveryTaskOnceAcrossTheCluster() {
    int tasks = 200;
    putJob("fibs", tasks, JobState.RUNNING);
    IQueue<String> queue = cpuQueue();
    for (int seq = 0; seq < tasks; seq++) {
      assertThat(enqueue(TaskChunk.ofRange("fibs", seq, seq, nOf(seq), 1))).isTrue();
    }

    IMap<String, TaskResult> results = results();
    await().atMost(Duration.ofSeconds(30)).until(() -> results.size() == tasks);

    Map<String, TaskResult> all = Map.copyOf(results);
    assertThat(all).hasSize(tasks);
    assertThat(all.values().stream().map(TaskResult::seq).collect(Collectors.toSet()))
        .isEqualTo(LongStream.range(0, tasks).boxed().collect(Collectors.toSet()));
    all.forEach(
        (key, result) -> {
          assertThat(key).isEqualTo(result.taskId()).startsWith("fibs/");
          assertThat(result.count()).isEqualTo(1);
          assertThat(result.ok()).as("task %s: %s", key, result.errors()[0]).isEqualTo(1);
          assertThat(result.values()).containsExactly(Long.toString(fib(nOf(result.seq()))));
        });
    Set<String> names = all.values().stream().map(TaskResult::worker).collect(Collectors.toSet());
    assertThat(names)
        .containsExactlyInAnyOrderElementsOf(workers.stream().map(Worker::name).toList());
    assertThat(queue).isEmpty();
    await().atMost(Duration.ofSeconds(5)).until(() -> tasks().isEmpty());
    assertThat(workers).allSatisfy(w -> assertThat(w.duplicatesDropped()).isZero());
  }

  @Test
  void workers_dropTasksOfCancelledJob() {
    putJob("cancelled", 1, JobState.CANCELLED);
    putJob("live", 1, JobState.RUNNING);
    IQueue<String> queue = cpuQueue();
    // The cancelled task goes first: once the live one, queued behind it, has a result, the
    // cancelled one was taken.
    assertThat(enqueue(TaskChunk.ofRange("cancelled", 0, 0, 10, 1))).isTrue();
    assertThat(enqueue(TaskChunk.ofRange("live", 0, 0, 10, 1))).isTrue();

    IMap<String, TaskResult> results = results();
    await().atMost(Duration.ofSeconds(15)).until(() -> results.containsKey("live/0"));
    assertThat(results.get("live/0").values()).containsExactly("55");
    assertThat(queue).isEmpty();
    // A cancelled task that was run after all would show up within milliseconds; give it ample time
    // not to.
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(2))
        .until(() -> !results.containsKey("cancelled/0"));
    assertThat(results.keySet()).containsExactly("live/0");
    assertThat(tasks().isEmpty()).as("tasks left: %s", tasks().keySet()).isTrue();
  }

  /**
   * No hoarding: two workers given 100 tasks of 200 ms both start work within the first second, and
   * neither ever holds more than about one task per CPU thread. Start times are the workers' own:
   * the time each wrote in the lease of the first task it took.
   */
  @Test
  void workers_bothStartWithinTheFirstSecondAndNeitherHoards() {
    int tasks = 100;
    int cpuThreads = workers.getFirst().settings().cpuThreads();
    Map<String, Long> firstTaken = new ConcurrentHashMap<>();
    Map<String, AtomicInteger> holding = new ConcurrentHashMap<>();
    Map<String, Integer> mostHeld = new ConcurrentHashMap<>();
    IMap<String, Lease> leases = member().getMap(Names.LEASES);
    leases.addEntryListener(
        new LeaseCounter(firstTaken, holding, mostHeld), /* includeValue= */ true);
    member()
        .<String, Job>getMap(Names.JOBS)
        .put(
            "naps",
            Job.submitting("naps", "sleep", Lane.CPU, Params.NONE, System.currentTimeMillis())
                .queued(tasks, tasks));
    long submitted = System.currentTimeMillis();
    for (int seq = 0; seq < tasks; seq++) {
      assertThat(enqueue(TaskChunk.ofRange("naps", seq, seq, 200, 1))).isTrue();
    }

    IMap<String, TaskResult> results = results();
    await().atMost(Duration.ofSeconds(60)).until(() -> results.size() == tasks);
    Map<String, Long> startMillis =
        firstTaken.entrySet().stream()
            .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue() - submitted));
    System.err.printf(
        "WorkerClusterTest: first task taken (ms after the first was queued) %s; most held at once"
            + " %s%n",
        startMillis, mostHeld);
    assertThat(startMillis)
        .containsOnlyKeys(workers.stream().map(Worker::name).toList())
        .allSatisfy((worker, ms) -> assertThat(ms).as(worker).isLessThan(1_000));
    // A lease ends a moment after its slot frees, and the events of different partitions arrive in
    // any order: a task about to end may overlap the next. A hoarding worker holds dozens.
    assertThat(mostHeld)
        .allSatisfy(
            (worker, most) -> assertThat(most).as(worker).isLessThanOrEqualTo(2 * cpuThreads));
    Map<String, Long> ranBy =
        Map.copyOf(results).values().stream()
            .collect(Collectors.groupingBy(TaskResult::worker, Collectors.counting()));
    assertThat(ranBy.values()).allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(tasks / 4));
  }

  /**
   * Counts the leases each worker holds, from the lease map's events. A lease is ended with {@code
   * delete}, whose event carries no value: the holder is looked up by task id.
   */
  private record LeaseCounter(
      Map<String, Long> firstTaken,
      Map<String, AtomicInteger> holding,
      Map<String, Integer> mostHeld,
      Map<String, String> holderOf)
      implements EntryAddedListener<String, Lease>, EntryRemovedListener<String, Lease> {
    LeaseCounter(
        Map<String, Long> firstTaken,
        Map<String, AtomicInteger> holding,
        Map<String, Integer> mostHeld) {
      this(firstTaken, holding, mostHeld, new ConcurrentHashMap<>());
    }

    @Override
    public void entryAdded(EntryEvent<String, Lease> event) {
      Lease lease = event.getValue();
      holderOf.put(event.getKey(), lease.workerName());
      firstTaken.merge(lease.workerName(), lease.takenMillis(), Math::min);
      int now =
          holding.computeIfAbsent(lease.workerName(), w -> new AtomicInteger()).incrementAndGet();
      mostHeld.merge(lease.workerName(), now, Math::max);
    }

    @Override
    public void entryRemoved(EntryEvent<String, Lease> event) {
      String worker = holderOf.remove(event.getKey());
      if (worker != null) {
        holding.get(worker).decrementAndGet();
      }
    }
  }
}
