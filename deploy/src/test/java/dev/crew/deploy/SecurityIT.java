package dev.crew.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
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
 * The cluster secret and {@code --allow-exec} with real processes: a worker started with {@code
 * --secret-file} runs only jobs signed with that secret, and a coordinator with another secret or
 * none is refused before it sends anything, with exit code 5 and one line ({@link TrustIT} plays
 * the attacker); the {@code exec} task runs only on workers started with {@code --allow-exec}; a
 * worker without a secret says so loudly.
 *
 * <p>Every child starts without the CREW_* variables of the test JVM (as in {@link CrewLaunchers});
 * a coordinator that needs {@code CREW_SECRET} is started by this class with exactly that variable
 * added.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class SecurityIT {
  private static final String SECRET = "right-secret";
  private static final Duration RUN_TIMEOUT = Duration.ofSeconds(90);
  private static final Set<String> KEPT_CREW_ENV =
      Set.of("CREW_JAVA_OPTS", "CREW_MVN", "CREW_JVM_DIR");
  private static final String NO_SECRET_WARNING = "NO CLUSTER SECRET";

  private final String cluster = CrewLaunchers.randomClusterName();
  private final List<CrewLaunchers.Child> own = new CopyOnWriteArrayList<>();
  private final AtomicInteger ownCounter = new AtomicInteger();
  private CrewLaunchers crew;
  private Thread exitHook;
  private Path secretFile;
  private int base;
  private List<String> join;

  /** The worker with the secret and without {@code --allow-exec}. */
  private CrewLaunchers.Worker guarded;

  @BeforeAll
  void startWorkerWithSecret() throws IOException {
    crew = new CrewLaunchers(getClass().getSimpleName());
    exitHook =
        new Thread(() -> own.forEach(c -> c.process().destroyForcibly()), "security-it-cleanup");
    Runtime.getRuntime().addShutdownHook(exitHook);
    crew.ensureJars();
    secretFile = Files.writeString(crew.logDir().resolve("secret.txt"), SECRET + "\n");
    base = CrewLaunchers.freePortBase(2);
    join = List.of("127.0.0.1:" + base, "127.0.0.1:" + (base + 1));
    guarded =
        crew.startWorker(cluster, base, join, 1, List.of("--secret-file", secretFile.toString()));
  }

  @AfterEach
  void guardedWorkerLives() {
    assertThat(guarded.child().process().isAlive())
        .as(() -> "worker died\n" + guarded.describe())
        .isTrue();
  }

  @AfterAll
  void stopAll() {
    try {
      for (CrewLaunchers.Child child : own) {
        crew.stop(child);
      }
    } finally {
      try {
        if (crew != null) {
          crew.close();
        }
      } finally {
        Runtime.getRuntime().removeShutdownHook(exitHook);
      }
    }
  }

  @Test
  @Order(1)
  void wrongSecret_refusedWithExit5AndOneLine_nothingSent() {
    CrewLaunchers.Run run = submitFib("fib-wrong-secret", Map.of("CREW_SECRET", "wrong"));

    assertRefused(run);
    assertThat(run.programStderrLines().getFirst())
        .as(() -> logs(run))
        .contains("its workers hold another cluster secret");
  }

  @Test
  @Order(2)
  void noSecret_refusedWithExit5_saysTheWorkersHoldOne() {
    CrewLaunchers.Run run = submitFib("fib-no-secret", Map.of());

    assertRefused(run);
    assertThat(run.programStderrLines().getFirst())
        .as(() -> logs(run))
        .contains("its workers hold a cluster secret")
        .contains("this coordinator's: none");
  }

  @Test
  @Order(3)
  void rightSecret_inEnvironment_runs() {
    CrewLaunchers.Run run = submitFib("fib-secret-env", Map.of("CREW_SECRET", SECRET));

    assertFib1to5(run);
  }

  @Test
  @Order(4)
  void rightSecret_inFile_runs() {
    CrewLaunchers.Run run =
        submitFib("fib-secret-file", Map.of(), "--secret-file", secretFile.toString());

    assertFib1to5(run);
  }

  @Test
  @Order(5)
  void exec_withoutAllowExecWorker_exit2MentionsAllowExec() {
    CrewLaunchers.Run run = submitExec("exec-not-allowed", connect(guarded));

    assertThat(run.exitCode())
        .as(() -> "exit code 2 = bad usage, nothing queued\n" + logs(run))
        .isEqualTo(2);
    assertThat(run.stdoutLines()).as(() -> logs(run)).isEmpty();
    assertThat(run.programStderrLines()).as(() -> logs(run)).hasSize(1);
    assertThat(run.programStderrLines().getFirst()).as(() -> logs(run)).contains("--allow-exec");
  }

  /**
   * In a cluster where only some workers allow exec, the others take exec tasks from the shared CPU
   * queue too, but hand them back for a worker that allows them; every item runs there.
   */
  @Test
  @Order(6)
  void exec_inMixedCluster_runsOnlyOnAllowExecWorker() {
    CrewLaunchers.Worker exec = startExecWorker();

    CrewLaunchers.Run run = submitExec("exec-mixed", connect(guarded) + "," + exec.name());

    assertExecRanOn(run, exec);
  }

  /** The positive path of exec, in a cluster of its own where every worker allows it. */
  @Test
  @Order(7)
  void exec_onAllowExecWorker_runsCommandPerItem() {
    String execCluster = CrewLaunchers.randomClusterName();
    int port = CrewLaunchers.freePortBase(1);
    CrewLaunchers.Worker exec =
        crew.startWorker(
            execCluster,
            port,
            List.of("127.0.0.1:" + port),
            1,
            List.of("--allow-exec", "--secret-file", secretFile.toString()));

    CrewLaunchers.Run run =
        runWithEnv(
            "exec-allowed",
            Map.of(),
            "submit",
            "exec",
            "--range",
            "1..2",
            "--param",
            "cmd=echo {}",
            "--secret-file",
            secretFile.toString(),
            "--connect",
            exec.name(),
            "--cluster",
            execCluster);

    assertExecRanOn(run, exec);
    assertThat(exec.child().stderr()).as(exec::describe).doesNotContain(NO_SECRET_WARNING);
  }

  @Test
  @Order(8)
  void workerWithoutSecret_warnsLoudly_workerWithSecretDoesNot() {
    String openCluster = CrewLaunchers.randomClusterName();
    int port = CrewLaunchers.freePortBase(1);
    CrewLaunchers.Worker open =
        crew.startWorker(openCluster, port, List.of("127.0.0.1:" + port), 1);

    assertThat(open.child().stderr().lines().filter(l -> l.contains(NO_SECRET_WARNING)).toList())
        .as(open::describe)
        .singleElement()
        .satisfies(line -> assertThat(line).contains(" WARN "));
    assertThat(guarded.child().stderr()).as(guarded::describe).doesNotContain(NO_SECRET_WARNING);
  }

  /**
   * Exit code 5 and one line, before anything was sent: the coordinator compares its secret's
   * fingerprint with the workers' first, so the worker never sees the job.
   */
  private void assertRefused(CrewLaunchers.Run run) {
    assertThat(run.exitCode()).as(() -> "exit code 5 = refused\n" + logs(run)).isEqualTo(5);
    assertThat(run.stdoutLines()).as(() -> "no JSON lines\n" + logs(run)).isEmpty();
    List<String> stderr = run.programStderrLines();
    assertThat(stderr).as(() -> "one stderr line\n" + logs(run)).hasSize(1);
    assertThat(stderr.getFirst())
        .as(() -> logs(run))
        .startsWith("coordinator: cluster '" + cluster + "' would refuse this coordinator's jobs: ")
        .endsWith("nothing was sent");
    assertThat(guarded.child().stderr()).as(guarded::describe).doesNotContain("refused job");
  }

  private void assertFib1to5(CrewLaunchers.Run run) {
    assertThat(run.exitCode()).as(() -> logs(run)).isZero();
    Map<Integer, JobOutput.Line> lines =
        JobOutput.lines(run).stream().collect(Collectors.toMap(JobOutput.Line::index, l -> l));
    assertThat(lines).as(() -> logs(run)).containsOnlyKeys(0, 1, 2, 3, 4);
    long[] fib = {1, 1, 2, 3, 5};
    for (int i = 0; i < 5; i++) {
      JobOutput.Line line = lines.get(i);
      assertThat(line.item().asInt()).as(line.raw()).isEqualTo(i + 1);
      assertThat(line.ok() && line.result().asLong() == fib[i])
          .as("fib(%d) in %s", i + 1, line.raw())
          .isTrue();
      assertThat(line.worker()).as(line.raw()).isEqualTo(guarded.name());
    }
  }

  private void assertExecRanOn(CrewLaunchers.Run run, CrewLaunchers.Worker exec) {
    assertThat(run.exitCode()).as(() -> logs(run)).isZero();
    Map<Integer, JobOutput.Line> lines =
        JobOutput.lines(run).stream()
            .collect(
                Collectors.toMap(JobOutput.Line::index, l -> l, (a, b) -> a, LinkedHashMap::new));
    assertThat(lines).as(() -> logs(run)).containsOnlyKeys(0, 1);
    for (int i = 0; i < 2; i++) {
      JobOutput.Line line = lines.get(i);
      assertThat(line.ok()).as(() -> line.raw() + "\n" + logs(run)).isTrue();
      assertThat(line.result().path("exit").asInt(-1)).as(line.raw()).isZero();
      assertThat(line.result().path("stdout").asText()).as(line.raw()).isEqualTo((i + 1) + "\n");
      assertThat(line.worker())
          .as(() -> "exec ran on the --allow-exec worker: " + line.raw())
          .isEqualTo(exec.name());
    }
  }

  /** Starts a worker with {@code --allow-exec} and the secret in the guarded worker's cluster. */
  private CrewLaunchers.Worker startExecWorker() {
    CrewLaunchers.Worker exec =
        crew.startWorker(
            cluster,
            base + 1,
            join,
            2,
            List.of("--allow-exec", "--secret-file", secretFile.toString()));
    await("guarded worker seeing 2 members")
        .atMost(CrewLaunchers.START_TIMEOUT)
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () ->
                assertThat(guarded.child().stderr())
                    .as(guarded::describe)
                    .contains("member " + exec.name() + " joined; the cluster has 2 members"));
    return exec;
  }

  private CrewLaunchers.Run submitFib(String label, Map<String, String> env, String... extra) {
    List<String> args = new ArrayList<>(List.of("submit", "fib", "--range", "1..5"));
    args.addAll(List.of(extra));
    args.addAll(List.of("--connect", connect(guarded), "--cluster", cluster));
    return runWithEnv(label, env, args.toArray(String[]::new));
  }

  private CrewLaunchers.Run submitExec(String label, String connect) {
    return runWithEnv(
        label,
        Map.of("CREW_SECRET", SECRET),
        "submit",
        "exec",
        "--range",
        "1..2",
        "--param",
        "cmd=echo {}",
        "--connect",
        connect,
        "--cluster",
        cluster);
  }

  private static String connect(CrewLaunchers.Worker worker) {
    return worker.name();
  }

  private String logs(CrewLaunchers.Run run) {
    return run.describe() + "\n" + guarded.describe();
  }

  /**
   * Runs {@code bin/coordinator ARGS} to completion as {@link CrewLaunchers#coordinator} does, but
   * with {@code env} added to the environment (after the inherited CREW_* variables are removed).
   */
  private CrewLaunchers.Run runWithEnv(String label, Map<String, String> env, String... args) {
    String name = String.format("own-%02d-coordinator-%s", ownCounter.incrementAndGet(), label);
    Path out = crew.logDir().resolve(name + ".out");
    Path err = crew.logDir().resolve(name + ".err");
    List<String> command = new ArrayList<>();
    command.add(crew.home().resolve("bin/coordinator").toString());
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(crew.logDir().toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    Map<String, String> environment = builder.environment();
    environment.keySet().removeIf(k -> k.startsWith("CREW_") && !KEPT_CREW_ENV.contains(k));
    environment.putAll(env);
    CrewLaunchers.Child child;
    try {
      long startedNanos = System.nanoTime();
      String shown =
          env.isEmpty()
              ? ""
              : env.keySet().stream().map(k -> k + "=... ").collect(Collectors.joining());
      child =
          new CrewLaunchers.Child(
              name, shown + String.join(" ", command), builder.start(), out, err, startedNanos);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
    own.add(child);
    return crew.awaitCoordinator(child, RUN_TIMEOUT);
  }
}
