package dev.crew.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.core.HazelcastInstance;
import dev.crew.common.ClusterConfigs;
import dev.crew.common.JobState;
import dev.crew.common.Lane;
import dev.crew.common.TaskCatalog;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import dev.crew.common.ledger.JobTally;
import dev.crew.common.ledger.LedgerPeek;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
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

  private long tasksDone() {
    return workers.stream().mapToLong(w -> w.meters().tasksDone()).sum();
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
  void workers_runEveryTaskOnceAcrossTheCluster() throws InterruptedException {
    int tasks = 200;
    Submitter submitter = new Submitter(member());
    List<TaskChunk> fibs = new ArrayList<>();
    for (int seq = 0; seq < tasks; seq++) {
      fibs.add(TaskChunk.ofRange("fibs", seq, seq, nOf(seq), 1));
    }
    submitter.submit("fib", Lane.CPU, fibs);

    Map<String, TaskResult> all = submitter.readAll("fibs", tasks, Duration.ofSeconds(30));

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
    // Nothing queued or claimed is left, and no task ran a second time anywhere.
    assertThat(submitter.tally("fibs").states()).isEqualTo(new JobTally(0, 0, 0, tasks));
    assertThat(tasksDone()).isEqualTo(tasks);
    assertThat(workers).allSatisfy(w -> assertThat(w.duplicatesDropped()).isZero());
  }

  @Test
  void workers_dropTasksOfCancelledJob() throws InterruptedException {
    Submitter submitter = new Submitter(member());
    submitter.putJob("cancelled", "fib", Lane.CPU, 1, 1, JobState.CANCELLED);
    submitter.ledger().store(Lane.CPU, List.of(TaskChunk.ofRange("cancelled", 0, 0, 10, 1)));
    submitter.submit("fib", Lane.CPU, List.of(TaskChunk.ofRange("live", 0, 0, 10, 1)));

    Map<String, TaskResult> live = submitter.readAll("live", 1, Duration.ofSeconds(15));
    assertThat(live.get("live/0").values()).containsExactly("55");
    // The worker that claimed the cancelled task forgot the job's blocks instead of running it (the
    // audit that forgets them too runs only after the 15 s lease timeout).
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> submitter.tally("cancelled").equals(JobTally.EMPTY));
    // A cancelled task that was run after all would be counted within milliseconds (and its result
    // dropped as a duplicate of a forgotten job); give it ample time not to.
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(2))
        .until(() -> tasksDone() == 1);
    assertThat(workers).allSatisfy(w -> assertThat(w.duplicatesDropped()).isZero());
    assertThat(submitter.tally("live").states()).isEqualTo(new JobTally(0, 0, 0, 1));
  }

  /**
   * No hoarding: two workers given 100 tasks of 200 ms both start work within the first second, and
   * neither ever holds more than about one claim per CPU thread. Start times are the workers' own:
   * each claim's deadline (their clock plus the lease timeout) less the lease timeout.
   */
  @Test
  void workers_bothStartWithinTheFirstSecondAndNeitherHoards() throws InterruptedException {
    int tasks = 100;
    int cpuThreads = workers.getFirst().settings().cpuThreads();
    // The share each worker runs is this test's subject, not the second member's arrival: a call
    // on a partition still migrating to it waits out Hazelcast's retry pauses (500 ms each).
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                workers.stream()
                    .allMatch(w -> w.hazelcast().getPartitionService().isClusterSafe()));
    LedgerPeek.ClaimWatch claims =
        LedgerPeek.ClaimWatch.start(member(), workers.getFirst().settings().leaseTimeout());
    Submitter submitter = new Submitter(member());
    List<TaskChunk> naps = new ArrayList<>();
    for (int seq = 0; seq < tasks; seq++) {
      naps.add(TaskChunk.ofRange("naps", seq, seq, 200, 1));
    }
    long submitted = System.currentTimeMillis();
    submitter.submit("sleep", Lane.CPU, naps);

    Map<String, TaskResult> results = submitter.readAll("naps", tasks, Duration.ofSeconds(60));
    Map<String, Long> startMillis =
        claims.firstClaimMillis().entrySet().stream()
            .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue() - submitted));
    Map<String, Integer> mostHeld = claims.mostHeld();
    Map<String, Long> ranBy =
        results.values().stream()
            .collect(Collectors.groupingBy(TaskResult::worker, Collectors.counting()));
    System.err.printf(
        "WorkerClusterTest: first task claimed (ms after the tasks were stored) %s; most claims"
            + " held at once %s; tasks run %s%n",
        startMillis, mostHeld, ranBy);
    assertThat(startMillis)
        .containsOnlyKeys(workers.stream().map(Worker::name).toList())
        .allSatisfy((worker, ms) -> assertThat(ms).as(worker).isLessThan(1_000));
    // A claim ends a moment after its slot frees, and the events of different blocks arrive in any
    // order: a task about to end may overlap the next. A hoarding worker holds dozens.
    assertThat(mostHeld)
        .containsOnlyKeys(workers.stream().map(Worker::name).toList())
        .allSatisfy(
            (worker, most) -> assertThat(most).as(worker).isLessThanOrEqualTo(2 * cpuThreads));
    assertThat(ranBy.values()).allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(tasks / 4));
  }
}
