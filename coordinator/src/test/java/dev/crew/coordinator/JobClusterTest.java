package dev.crew.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.serialization.genericrecord.GenericRecordBuilder;
import dev.crew.client.job.ChunkPlanner;
import dev.crew.client.job.JobRun;
import dev.crew.client.job.LineSource;
import dev.crew.client.job.Outcome;
import dev.crew.client.job.Progress;
import dev.crew.client.job.RangeSource;
import dev.crew.common.ClusterConfigs;
import dev.crew.common.Job;
import dev.crew.common.Lane;
import dev.crew.common.Names;
import dev.crew.common.Params;
import dev.crew.common.TaskCatalog;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import dev.crew.common.WorkerStats;
import dev.crew.common.ledger.JobTally;
import dev.crew.common.ledger.TaskLedger;
import dev.crew.worker.Worker;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Jobs over three real worker members in this JVM, submitted through a real client. */
class JobClusterTest {
  private static final int PORT = 5861;
  private static final String CLUSTER = "it-" + UUID.randomUUID();
  private static final List<Worker> workers = new ArrayList<>();
  private static HazelcastInstance client;

  @BeforeAll
  static void startCluster() {
    for (int i = 0; i < 3; i++) {
      workers.add(
          Worker.start(
              new Worker.Settings(
                  new ClusterConfigs.Membership(
                      CLUSTER, List.of("127.0.0.1:" + PORT), false, "127.0.0.1", PORT, false),
                  2,
                  50,
                  1,
                  Duration.ofSeconds(5)),
              TaskCatalog.builtIn()));
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                workers.stream()
                    .allMatch(w -> w.hazelcast().getCluster().getMembers().size() == 3));
    client =
        HazelcastClient.newHazelcastClient(
            ClusterConfigs.client(CLUSTER, List.of("127.0.0.1:" + PORT), Duration.ofSeconds(10)));
  }

  @AfterAll
  static void stopCluster() {
    if (client != null) {
      client.shutdown();
    }
    workers.forEach(Worker::close);
  }

  private static String[] cli(String... args) {
    String[] all = new String[args.length + 4];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--connect";
    all[args.length + 1] = "127.0.0.1:" + PORT;
    all[args.length + 2] = "--cluster";
    all[args.length + 3] = CLUSTER;
    return all;
  }

  @Test
  void cpuJob_everyItemExactlyOnceSpreadOverAllWorkers() throws Exception {
    Map<Long, Integer> seen = new ConcurrentHashMap<>();
    Set<String> ranBy = ConcurrentHashMap.newKeySet();
    Job job =
        Job.submitting(
            JobRun.newJobId("fib"), "fib", Lane.CPU, Params.NONE, System.currentTimeMillis());
    Outcome outcome =
        new JobRun(client)
            .run(
                job,
                new LineSource(
                    new ByteArrayInputStream(
                        ("24\n".repeat(300).getBytes(StandardCharsets.UTF_8)))),
                ChunkPlanner.fixed(1),
                result -> {
                  for (int i = 0; i < result.count(); i++) {
                    seen.merge(result.firstIndex() + i, 1, Integer::sum);
                    assertThat(result.values()[i]).isEqualTo("46368");
                  }
                  ranBy.add(result.worker());
                },
                Progress.NONE,
                new JobRun.Options(false, false));
    assertThat(outcome.ok()).isEqualTo(300);
    assertThat(outcome.failed()).isZero();
    assertThat(seen).hasSize(300);
    assertThat(seen.values()).containsOnly(1);
    // Workers pull only for free slots, so no worker can take everything while the others idle.
    assertThat(ranBy)
        .containsExactlyInAnyOrderElementsOf(workers.stream().map(Worker::name).toList());
    // Delivered: the ledger keeps each task's counts; the archive nothing (none failed).
    JobTally tally = JobRun.ledgerOf(client).tally(job.id());
    assertThat(tally.consumed()).isEqualTo(300);
    assertThat(tally.itemsOk()).isEqualTo(300);
    IMap<String, TaskResult> results = client.getMap(Names.RESULTS);
    assertThat(results.keySet().stream().filter(k -> k.startsWith(job.id() + "/"))).isEmpty();
  }

  @Test
  void autoChunkedRange_deliversEveryItemOnce() throws Exception {
    long[] sum = new long[1];
    long[] count = new long[1];
    Job job =
        Job.submitting(
            JobRun.newJobId("noop"), "noop", Lane.CPU, Params.NONE, System.currentTimeMillis());
    Outcome outcome =
        new JobRun(client)
            .run(
                job,
                new RangeSource(1, 200_000),
                ChunkPlanner.auto(6, 200_000, Duration.ofMillis(200)),
                result -> {
                  for (int i = 0; i < result.count(); i++) {
                    sum[0] += Long.parseLong(result.values()[i]);
                    count[0]++;
                  }
                },
                Progress.NONE,
                new JobRun.Options(false, false));
    assertThat(count[0]).isEqualTo(200_000);
    assertThat(sum[0]).isEqualTo(200_000L * 200_001 / 2);
    // Auto chunking grouped items: far fewer tasks than items.
    assertThat(outcome.tasks()).isLessThan(20_000);
  }

  @Test
  void detachedJob_resultsAndStatusLater() {
    CoordinatorCliTest.Run submitted =
        CoordinatorCliTest.run(
            cli("submit", "noop", "--range", "1..500", "--detach", "--chunk", "50"));
    assertThat(submitted.code()).as(submitted.err()).isZero();
    String jobId = submitted.out().trim();
    assertThat(jobId).startsWith("noop-");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> CoordinatorCliTest.run(cli("status", jobId)).out().contains(": done"));
    CoordinatorCliTest.Run status = CoordinatorCliTest.run(cli("status", jobId));
    assertThat(status.out()).contains("items 500/500 done, 500 ok, 0 failed; tasks 10/10");
    CoordinatorCliTest.Run results = CoordinatorCliTest.run(cli("results", jobId));
    assertThat(results.code()).as(results.err()).isZero();
    List<String> lines = results.outLines();
    assertThat(lines).hasSize(500);
    for (int i = 0; i < 500; i++) {
      assertThat(lines.get(i))
          .startsWith("{\"index\":" + i + ",\"item\":" + (i + 1) + ",\"result\":" + (i + 1));
    }
    CoordinatorCliTest.Run list = CoordinatorCliTest.run(cli("status"));
    assertThat(list.out()).contains(jobId).contains("500/500");
  }

  /**
   * The results map's index takes any value with a job id: a Compact record of someone else's at a
   * task id, or matching the job's id, is passed over by {@code results}, as if that task had none.
   */
  @Test
  void resultsBatches_passOverValuesThatAreNotResults() {
    String jobId = "planted-" + UUID.randomUUID();
    IMap<String, Object> map = client.getMap(Names.RESULTS);
    TaskResult genuine =
        TaskResult.of(
            TaskChunk.ofRange(jobId, 0, 0, 1, 1), "w", 1_000, new String[] {"1"}, new String[1]);
    map.set(genuine.taskId(), genuine);
    map.set(
        Names.taskId(jobId, 1),
        GenericRecordBuilder.compact("evil.Type").setString("jobId", jobId).build());
    IMap<String, TaskResult> results = client.getMap(Names.RESULTS);
    try {
      Job known =
          Job.submitting(jobId, "noop", Lane.CPU, Params.NONE, System.currentTimeMillis())
              .queued(2, 2);
      Job unknown = Job.submitting(jobId, "noop", Lane.CPU, Params.NONE, known.createdMillis());

      List<TaskResult> byTask = new ArrayList<>();
      ResultsCommand.batches(known, results).forEach(byTask::addAll);
      List<TaskResult> matched = new ArrayList<>();
      ResultsCommand.batches(unknown, results).forEach(matched::addAll);

      assertThat(byTask)
          .extracting(r -> r == null ? null : r.taskId())
          .containsExactly(genuine.taskId(), null);
      assertThat(matched).extracting(TaskResult::taskId).containsExactly(genuine.taskId());
    } finally {
      map.delete(genuine.taskId());
      map.delete(Names.taskId(jobId, 1));
    }
  }

  @Test
  void cancel_dropsQueuedTasksAndStartsNoMore() {
    CoordinatorCliTest.Run submitted =
        CoordinatorCliTest.run(
            cli(
                "submit",
                "sleep",
                "--lane",
                "cpu",
                "--input",
                writeLines("200", 60),
                "--detach",
                "--chunk",
                "1"));
    assertThat(submitted.code()).as(submitted.err()).isZero();
    String jobId = submitted.out().trim();
    CoordinatorCliTest.Run cancelled = CoordinatorCliTest.run(cli("cancel", jobId));
    assertThat(cancelled.code()).as(cancelled.err()).isZero();
    assertThat(cancelled.out()).contains("job " + jobId + " cancelled:");
    int dropped =
        Integer.parseInt(
            cancelled.out().replaceAll("(?s).*cancelled: (\\d+) queued tasks dropped.*", "$1"));
    assertThat(dropped).isPositive();
    IMap<String, TaskResult> results = client.getMap(Names.RESULTS);
    // Tasks already running when it was cancelled (at most one per CPU slot) may finish; nothing
    // else starts, and the ledger keeps nothing of the job.
    TaskLedger ledger = JobRun.ledgerOf(client);
    await()
        .during(Duration.ofMillis(800))
        .atMost(Duration.ofSeconds(10))
        .until(() -> ledger.tally(jobId).equals(JobTally.EMPTY));
    long recorded = results.keySet().stream().filter(k -> k.startsWith(jobId + "/")).count();
    assertThat(recorded).isLessThanOrEqualTo(60 - dropped);
    assertThat(CoordinatorCliTest.run(cli("status", jobId)).out()).contains(": cancelled");
  }

  @Test
  void failedItems_listedAfterStreamingAndRetriedWithTheirIndexes() {
    String input = writeLines("10\nabc\n20\nxyz", 1);
    CoordinatorCliTest.Run run =
        CoordinatorCliTest.run(cli("submit", "fib", "--input", input, "--job-id", "bad-items"));
    assertThat(run.code()).as(run.err()).isEqualTo(1);
    // The values were streamed and dropped from the cluster, but the failures are kept.
    CoordinatorCliTest.Run failed = CoordinatorCliTest.run(cli("results", "bad-items", "--failed"));
    assertThat(failed.outLines()).hasSize(2);
    assertThat(failed.outLines().get(0)).startsWith("{\"index\":1,\"item\":\"abc\",\"error\":");
    assertThat(failed.outLines().get(1)).startsWith("{\"index\":3,\"item\":\"xyz\",\"error\":");
    CoordinatorCliTest.Run retry = CoordinatorCliTest.run(cli("retry", "bad-items"));
    assertThat(retry.code()).as(retry.err()).isEqualTo(1);
    assertThat(retry.err())
        .contains("running 2 failed items of bad-items again as bad-items-retry1");
    assertThat(retry.outLines()).hasSize(2);
    assertThat(String.join("\n", retry.outLines()))
        .contains("\"index\":1,\"item\":\"abc\"", "\"index\":3");
    CoordinatorCliTest.Run nothing = CoordinatorCliTest.run(cli("retry", "no-such-job"));
    assertThat(nothing.code()).isEqualTo(2);
  }

  @Test
  void cancel_interruptsRunningTasks() {
    CoordinatorCliTest.Run submitted =
        CoordinatorCliTest.run(
            cli("submit", "sleep", "--input", writeLines("60000", 20), "--detach", "--chunk", "1"));
    assertThat(submitted.code()).as(submitted.err()).isZero();
    String jobId = submitted.out().trim();
    TaskLedger ledger = JobRun.ledgerOf(client);
    await().atMost(Duration.ofSeconds(10)).until(() -> ledger.tally(jobId).claimed() == 20);
    await().atMost(Duration.ofSeconds(10)).until(() -> busySlots() >= 20);
    long start = System.nanoTime();
    assertThat(CoordinatorCliTest.run(cli("cancel", jobId)).code()).isZero();
    // Every worker interrupts its running tasks of the job, well inside a second (the stats it
    // publishes every second then show its slots free).
    await().atMost(Duration.ofSeconds(5)).until(() -> busySlots() == 0);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    assertThat(ledger.tally(jobId)).isEqualTo(JobTally.EMPTY);
    IMap<String, TaskResult> results = client.getMap(Names.RESULTS);
    assertThat(results.keySet().stream().filter(k -> k.startsWith(jobId + "/"))).isEmpty();
  }

  /** Slots of every lane busy on all workers, as they last published. */
  private static int busySlots() {
    return client.<String, WorkerStats>getMap(Names.STATS).values().stream()
        .mapToInt(w -> w.cpuBusy() + w.ioBusy())
        .sum();
  }

  @Test
  void clusterAndTasks_showEveryWorker() {
    CoordinatorCliTest.Run cluster = CoordinatorCliTest.run(cli("cluster"));
    assertThat(cluster.code()).isZero();
    assertThat(cluster.out()).contains("3 workers").contains("queue cpu", "queue io");
    for (Worker worker : workers) {
      assertThat(cluster.out()).contains(worker.name());
    }
    CoordinatorCliTest.Run tasks = CoordinatorCliTest.run(cli("tasks"));
    assertThat(tasks.outLines().stream().map(l -> l.split("\\s+")[0]).collect(Collectors.toSet()))
        .contains("fib", "sum-squares", "primes", "sha256", "http-get", "sleep", "noop");
    assertThat(tasks.out()).contains("3/3");
    List<String> reductions =
        tasks
            .outLines()
            .subList(
                tasks.outLines().indexOf("REDUCTION      DESCRIPTION") + 1,
                tasks.outLines().size());
    assertThat(reductions)
        .extracting(line -> line.split("\\s+")[0])
        .containsExactly("count", "histogram", "max", "mean", "min", "sum");
    assertThat(reductions).allSatisfy(line -> assertThat(line.substring(15)).isNotBlank());
  }

  @Test
  void plantedControlCharacters_neverReachTheTerminalRaw() {
    // A job record as anyone on the cluster's port could write one, and items whose text comes
    // back in errors: each carries a sequence that retitles the window and one that clears it.
    String plant = "\u001b]0;owned\u0007\u001b[2J\u009b1m";
    String shown = "\\u001B]0;owned\\u0007\\u001B[2J\\u009B1m";
    String jobId = "planted" + plant;
    IMap<String, Job> jobs = client.getMap(Names.JOBS);
    jobs.put(
        jobId,
        Job.submitting(
            jobId,
            "fib" + plant,
            Lane.CPU,
            new Params(Map.of("n", "1" + plant)),
            System.currentTimeMillis()));
    try {
      CoordinatorCliTest.Run run =
          CoordinatorCliTest.run(
              cli("submit", "fib", "--input", writeLines("7" + plant, 1), "--job-id", "escapes"));
      assertThat(run.code()).as(run.err()).isEqualTo(1);
      List<CoordinatorCliTest.Run> runs =
          List.of(
              run,
              CoordinatorCliTest.run(cli("status")),
              CoordinatorCliTest.run(cli("status", jobId)),
              CoordinatorCliTest.run(cli("jobs")),
              CoordinatorCliTest.run(cli("results", "escapes", "--failed")),
              CoordinatorCliTest.run(cli("status", "missing" + plant)));
      for (CoordinatorCliTest.Run r : runs) {
        assertThat(r.out() + r.err()).doesNotContain("\u001b", "\u0007", "\u009b");
      }
      assertThat(runs.get(1).out()).contains("planted" + shown);
      assertThat(runs.get(2).out()).contains("job planted" + shown, "task fib" + shown);
      assertThat(runs.get(3).out()).contains("planted" + shown, "escapes #0 7" + shown);
      assertThat(runs.get(4).outLines()).singleElement().asString().contains("7" + shown);
      assertThat(runs.get(5).errLines())
          .singleElement()
          .asString()
          .startsWith("coordinator: ")
          .contains("missing" + shown);
    } finally {
      jobs.delete(jobId);
    }
  }

  private static String writeLines(String line, int count) {
    try {
      java.nio.file.Path file = java.nio.file.Files.createTempFile("crew-it", ".txt");
      file.toFile().deleteOnExit();
      java.nio.file.Files.writeString(file, (line + "\n").repeat(count));
      return file.toString();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
