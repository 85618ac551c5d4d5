package dev.crew.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.crew.common.ClusterConfigs;
import dev.crew.common.Job;
import dev.crew.common.JobState;
import dev.crew.common.Lane;
import dev.crew.common.Names;
import dev.crew.common.Params;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import dev.crew.common.ledger.HazelcastTaskLedger;
import dev.crew.common.ledger.LedgerLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * What a party without the cluster secret cannot make a signed cluster do, with real processes: a
 * job or failed item it planted is never re-signed by {@code coordinator retry}, and a worker
 * started without the cluster's secret (or with another) never becomes one of its members.
 *
 * <p>The attacker is a plain Hazelcast client in this JVM that knows the cluster's name and address
 * and Crew's public record types, never the secret. The cluster is one worker with the secret and
 * {@code --allow-exec}, so a planted command would run if anything signed it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TrustIT {
  private static final Duration RUN_TIMEOUT = Duration.ofSeconds(90);

  private final String cluster = CrewLaunchers.randomClusterName();
  private final List<String> joined = new CopyOnWriteArrayList<>();
  private CrewLaunchers crew;
  private Path secretFile;
  private int base;
  private CrewLaunchers.Worker worker;
  private HazelcastInstance attacker;

  /**
   * The signed job whose failed item the legitimate retry runs again; the tampering test reuses it.
   */
  private final String legitJob = "legit-" + suffix();

  @BeforeAll
  void startSignedExecWorker() throws IOException {
    crew = new CrewLaunchers(getClass().getSimpleName());
    crew.ensureJars();
    secretFile = Files.writeString(crew.logDir().resolve("secret.txt"), "the-right-secret\n");
    base = CrewLaunchers.freePortBase(3);
    worker =
        crew.startWorker(
            cluster,
            base,
            List.of("127.0.0.1:" + base),
            1,
            List.of("--allow-exec", "--secret-file", secretFile.toString()));
    attacker =
        HazelcastClient.newHazelcastClient(
            ClusterConfigs.client(cluster, List.of(worker.name()), Duration.ofSeconds(30)));
    attacker
        .getCluster()
        .addMembershipListener(
            new MembershipListener() {
              @Override
              public void memberAdded(MembershipEvent event) {
                joined.add(event.getMember().getAddress().toString());
              }

              @Override
              public void memberRemoved(MembershipEvent event) {}
            });
  }

  @AfterEach
  void workerLives() {
    assertThat(worker.child().process().isAlive()).as(worker::describe).isTrue();
  }

  @AfterAll
  void stopAll() {
    try {
      if (attacker != null) {
        attacker.shutdown();
      }
    } finally {
      if (crew != null) {
        crew.close();
      }
    }
  }

  @Test
  @Order(1)
  void retry_ofPlantedUnsignedExecJob_refusedWithExit5_commandNeverRuns() {
    String jobId = "planted-" + suffix();
    Path marker = crew.logDir().resolve(jobId + ".marker");
    TaskChunk task = TaskChunk.ofItems(jobId, 0, 0, new String[] {marker.toString()});
    attacker
        .<String, TaskResult>getMap(Names.RESULTS)
        .set(
            task.taskId(),
            TaskResult.of(task, worker.name(), 1, new String[] {null}, new String[] {"exit 1"}));
    attacker.<String, Job>getMap(Names.JOBS).set(jobId, plantedExec(jobId, JobState.DONE));

    CrewLaunchers.Run run = retry("retry-planted", jobId);

    assertRefused(run, "the record of job " + jobId + " is not signed");
    assertNoRetryJob(jobId);
    await("the planted command never running")
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> !Files.exists(marker));
  }

  @Test
  @Order(2)
  void retry_ofSignedJobsFailedItem_runsItAgain() throws IOException {
    Path present = Files.writeString(crew.logDir().resolve(legitJob + ".a"), "a");
    Path missing = crew.logDir().resolve(legitJob + ".b");
    Path input =
        Files.writeString(
            crew.logDir().resolve(legitJob + ".items"), present + "\n" + missing + "\n");
    CrewLaunchers.Run first =
        crew.coordinator(
            "submit-legit",
            RUN_TIMEOUT,
            "submit",
            "exec",
            "--input",
            input.toString(),
            "--param",
            "cmd=test -e {}",
            "--job-id",
            legitJob,
            "--secret-file",
            secretFile.toString(),
            "--connect",
            worker.name(),
            "--cluster",
            cluster);
    assertThat(first.exitCode()).as(() -> "one item failed\n" + first.describe()).isEqualTo(1);
    Files.writeString(missing, "b");

    CrewLaunchers.Run run = retry("retry-legit", legitJob);

    assertThat(run.exitCode()).as(() -> run.describe() + "\n" + worker.describe()).isZero();
    assertThat(JobOutput.lines(run))
        .as(run::describe)
        .singleElement()
        .satisfies(
            line -> {
              assertThat(line.index()).isEqualTo(1);
              assertThat(line.ok()).as(line.raw()).isTrue();
              assertThat(line.worker()).isEqualTo(worker.name());
            });
    assertThat(run.programStderrLines())
        .as(run::describe)
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains(
                        "running 1 failed items of "
                            + legitJob
                            + " again as "
                            + legitJob
                            + "-retry1"));
  }

  @Test
  @Order(3)
  void retry_ofSignedJobWithTamperedFailedItem_refusedWithExit5() {
    IMap<String, TaskResult> results = attacker.getMap(Names.RESULTS);
    TaskResult failed =
        results.values().stream()
            .filter(r -> r.jobId().equals(legitJob) && r.failed() > 0)
            .findFirst()
            .orElseThrow(() -> new AssertionError("no failed result of " + legitJob));
    // Sealed, the result shows the attacker its counts but not its items: it replaces them all.
    assertThat(failed.forged()).as("a sealed result, read without the secret").isTrue();
    String[] items = new String[failed.count()];
    String[] errors = new String[failed.count()];
    java.util.Arrays.fill(items, crew.logDir().resolve("tampered.marker").toString());
    java.util.Arrays.fill(errors, "exit 1");
    results.set(
        failed.taskId(),
        new TaskResult(
            failed.jobId(),
            failed.seq(),
            failed.firstIndex(),
            failed.count(),
            0,
            items,
            failed.worker(),
            failed.attempt(),
            1,
            0,
            failed.count(),
            new String[failed.count()],
            errors,
            failed.consumed(),
            failed.taskSignature()));

    CrewLaunchers.Run run = retry("retry-tampered", legitJob);

    assertRefused(run, "result " + failed.taskId());
    assertThat(attacker.getMap(Names.JOBS).containsKey(legitJob + "-retry2"))
        .as("no second retry job")
        .isFalse();
  }

  @Test
  @Order(4)
  void workerWithoutSecret_refusedBeforeJoining() throws InterruptedException {
    CrewLaunchers.Child intruder =
        crew.startWorkerChild(cluster, base + 1, List.of("127.0.0.1:" + base), List.of());

    assertWorkerRefused(intruder, "its workers hold a cluster secret");
  }

  @Test
  @Order(5)
  void workerWithOtherSecret_refusedBeforeJoining() throws IOException, InterruptedException {
    Path other = Files.writeString(crew.logDir().resolve("other-secret.txt"), "another-secret\n");
    CrewLaunchers.Child intruder =
        crew.startWorkerChild(
            cluster,
            base + 2,
            List.of("127.0.0.1:" + base),
            List.of("--allow-exec", "--secret-file", other.toString()));

    assertWorkerRefused(intruder, "its workers hold another cluster secret");
  }

  @Test
  @Order(6)
  void coordinatorWithoutSecret_refusedWithExit5_nothingSent() {
    CrewLaunchers.Run run =
        crew.coordinator(
            "submit-unsigned",
            RUN_TIMEOUT,
            "submit",
            "fib",
            "--range",
            "1..3",
            "--job-id",
            "unsigned-" + suffix(),
            "--connect",
            worker.name(),
            "--cluster",
            cluster);

    assertRefused(run, "its workers hold a cluster secret");
    assertThat(run.programStderrLines().getFirst()).contains("nothing was sent");
  }

  @Test
  @Order(7)
  void plantedUnsignedExecTask_ignoredByWorker_commandNeverRuns() {
    String jobId = "queued-" + suffix();
    Path marker = crew.logDir().resolve(jobId + ".marker");
    attacker.<String, Job>getMap(Names.JOBS).set(jobId, plantedExec(jobId, JobState.RUNNING));
    TaskChunk task = TaskChunk.ofItems(jobId, 0, 0, new String[] {marker.toString()});
    // The ledger is open source like the rest: the attacker stores through it as a coordinator
    // does.
    try {
      new HazelcastTaskLedger(
              attacker, LedgerLayout.DEFAULT, Duration.ofSeconds(15), System::currentTimeMillis)
          .store(Lane.CPU, List.of(task));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }

    // Written without the secret, the record does not open on the worker: it is not acted on at
    // all (not even marked refused, which on a real job's changed record would end that job).
    await("the worker ignoring " + jobId)
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () ->
                assertThat(worker.child().stderr())
                    .contains(
                        "job "
                            + jobId
                            + ": its record was changed by a party without this cluster's secret"));
    assertThat(attacker.<String, Job>getMap(Names.JOBS).get(jobId).state())
        .isEqualTo(JobState.RUNNING);
    await("the planted command never running")
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(4))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> !Files.exists(marker));
  }

  /** An unsigned job that runs {@code touch ITEM}, as an attacker without the secret writes it. */
  private static Job plantedExec(String jobId, JobState state) {
    return new Job(
        jobId,
        "exec",
        Lane.CPU,
        new Params(Map.of("cmd", "touch {}")),
        state,
        System.currentTimeMillis(),
        1,
        1,
        0,
        0,
        /* signature= */ "");
  }

  private void assertWorkerRefused(CrewLaunchers.Child intruder, String why)
      throws InterruptedException {
    assertThat(
            intruder.process().waitFor(CrewLaunchers.START_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
        .as(() -> "the worker exits by itself\n" + intruder.describe())
        .isTrue();
    assertThat(intruder.process().exitValue()).as(intruder::describe).isEqualTo(3);
    List<String> lines = intruder.stderr().lines().toList();
    assertThat(lines)
        .as(intruder::describe)
        .noneMatch(l -> l.startsWith("\tat ") || l.contains("Exception"))
        .filteredOn(l -> l.startsWith("worker: "))
        .singleElement()
        .satisfies(
            l ->
                assertThat(l)
                    .contains("cluster '" + cluster + "' is not this worker's: " + why)
                    .contains("it did not join"));
    assertThat(joined).as("members that joined the signed cluster").isEmpty();
    assertThat(attacker.getCluster().getMembers()).hasSize(1);
  }

  private CrewLaunchers.Run retry(String label, String jobId) {
    return crew.coordinator(
        label,
        RUN_TIMEOUT,
        "retry",
        jobId,
        "--secret-file",
        secretFile.toString(),
        "--connect",
        worker.name(),
        "--cluster",
        cluster);
  }

  private static void assertRefused(CrewLaunchers.Run run, String what) {
    assertThat(run.exitCode()).as(() -> "exit code 5 = refused\n" + run.describe()).isEqualTo(5);
    assertThat(run.stdoutLines()).as(run::describe).isEmpty();
    assertThat(run.programStderrLines())
        .as(run::describe)
        .singleElement()
        .satisfies(l -> assertThat(l).startsWith("coordinator: ").contains(what));
  }

  private void assertNoRetryJob(String jobId) {
    assertThat(attacker.<String, Job>getMap(Names.JOBS).keySet())
        .as("jobs in the cluster")
        .noneMatch(id -> id.startsWith(jobId + "-retry"));
  }

  private static String suffix() {
    return Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
  }
}
