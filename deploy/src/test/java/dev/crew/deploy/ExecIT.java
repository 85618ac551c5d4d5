package dev.crew.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * {@code exec} contained, with real processes: a {@code bin/worker} whose own environment holds the
 * cluster secret ({@code CREW_SECRET}), {@code CREW_ALLOW_EXEC} and a token of the host runs
 * commands that see none of them unless a job allows the token by name; and a command that puts a
 * child in the background leaves no process behind when its item times out or its job is cancelled.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class ExecIT {
  private static final String SECRET = "exec-it-secret";
  private static final String TOKEN = "exec-it-token-value";
  private static final Duration GONE_WITHIN = Duration.ofSeconds(10);

  private final String cluster = CrewLaunchers.randomClusterName();
  private CrewLaunchers crew;
  private CrewLaunchers.Worker worker;
  private Thread exitHook;
  private Path secretFile;
  private Path spawn;

  @BeforeAll
  void startExecWorker() throws IOException {
    crew = new CrewLaunchers(getClass().getSimpleName());
    crew.ensureJars();
    secretFile = Files.writeString(crew.logDir().resolve("secret.txt"), SECRET + "\n");
    // The marker ($1) is in the command line of the script and of its background shell; each
    // shell stays up (": " after sleep) so that it can be found by its marker.
    spawn =
        Files.writeString(
            crew.logDir().resolve("spawn.sh"),
            "#!/bin/sh\nsh -c 'sleep 300; :' \"bg-$1\" &\nsleep 300\n:\n");
    int port = CrewLaunchers.freePortBase(1);
    // The secret and --allow-exec come from the environment, as in a container.
    worker =
        crew.startWorker(
            cluster,
            port,
            List.of("127.0.0.1:" + port),
            1,
            List.of(),
            Map.of("CREW_SECRET", SECRET, "CREW_ALLOW_EXEC", "true", "EXEC_IT_TOKEN", TOKEN));
    CrewLaunchers.Child child = worker.child();
    exitHook = new Thread(() -> child.process().destroyForcibly(), "exec-it-cleanup");
    Runtime.getRuntime().addShutdownHook(exitHook);
  }

  @AfterEach
  void workerLives() {
    assertThat(worker.child().process().isAlive())
        .as(() -> "worker died\n" + worker.describe())
        .isTrue();
  }

  @AfterAll
  void stopWorker() {
    try {
      if (worker != null) {
        crew.stop(worker.child());
      }
    } finally {
      try {
        crew.close();
      } finally {
        if (exitHook != null) {
          Runtime.getRuntime().removeShutdownHook(exitHook);
        }
      }
    }
  }

  @Test
  void printenv_showsNoCrewVariableNorHostToken() {
    CrewLaunchers.Run run = submit("env-minimal", items("printenv"), "--param", "cmd=env");

    Map<String, String> env = environmentOf(run);
    assertThat(env.keySet().stream().filter(k -> k.startsWith("CREW_")))
        .as(() -> run.describe())
        .isEmpty();
    assertThat(env)
        .as(() -> run.describe())
        .doesNotContainKey("EXEC_IT_TOKEN")
        .containsEntry("PATH", "/usr/local/bin:/usr/bin:/bin");
  }

  @Test
  void printenv_allowListCopiesNamedVariableOnly() {
    CrewLaunchers.Run run =
        submit(
            "env-allowed", items("printenv"), "--param", "cmd=env", "--param", "env=EXEC_IT_TOKEN");

    Map<String, String> env = environmentOf(run);
    assertThat(env).as(() -> run.describe()).containsEntry("EXEC_IT_TOKEN", TOKEN);
    assertThat(env.keySet().stream().filter(k -> k.startsWith("CREW_")))
        .as(() -> run.describe())
        .isEmpty();
  }

  @Test
  void envNamingCrewVariable_refusedAtSubmitInOneLine() {
    CrewLaunchers.Run run =
        submit("env-crew", items("printenv"), "--param", "cmd=env", "--param", "env=CREW_SECRET");

    assertThat(run.exitCode()).as(() -> "exit 2 = bad usage\n" + run.describe()).isEqualTo(2);
    assertThat(run.stdoutLines()).as(run::describe).isEmpty();
    assertThat(run.programStderrLines()).as(run::describe).hasSize(1);
    assertThat(run.programStderrLines().getFirst())
        .as(run::describe)
        .contains("CREW_SECRET")
        .contains("cannot be passed to commands");
  }

  @Test
  void itemStartingWithDash_failedInOneLineWithoutRunning() {
    CrewLaunchers.Run run = submit("dash", items("-e"), "--param", "cmd=echo {}");

    assertThat(run.exitCode()).as(() -> "exit 1 = items failed\n" + run.describe()).isEqualTo(1);
    assertThat(JobOutput.lines(run))
        .as(run::describe)
        .singleElement()
        .satisfies(line -> assertThat(line.error()).contains("starts with '-'"));
  }

  @Test
  void timedOutItem_leavesNoProcessBehind() {
    String marker = marker();
    CrewLaunchers.Child submit =
        startSubmit(
            "timeout",
            items(marker),
            "--param",
            "cmd=sh " + spawn + " {}",
            "--timeout",
            "3s",
            "--retries",
            "0");
    Set<ProcessHandle> seen = awaitRunning(marker, submit);

    CrewLaunchers.Run run = crew.awaitCoordinator(submit, CrewLaunchers.RUN_TIMEOUT);

    assertThat(run.exitCode()).as(() -> "exit 1 = items failed\n" + run.describe()).isEqualTo(1);
    assertThat(JobOutput.lines(run))
        .as(run::describe)
        .singleElement()
        .satisfies(line -> assertThat(line.error()).contains("timed out after 3 s"));
    awaitNoneLeft(marker, seen);
  }

  @Test
  void cancelledJob_leavesNoProcessBehind() {
    String marker = marker();
    String jobId = "exec-cancel-" + UUID.randomUUID().toString().substring(0, 8);
    CrewLaunchers.Child submit =
        startSubmit(
            "cancelled", items(marker), "--param", "cmd=sh " + spawn + " {}", "--job-id", jobId);
    Set<ProcessHandle> seen = awaitRunning(marker, submit);

    CrewLaunchers.Run cancel =
        crew.coordinator(
            "cancel",
            CrewLaunchers.RUN_TIMEOUT,
            "cancel",
            jobId,
            "--secret-file",
            secretFile.toString(),
            "--connect",
            worker.name(),
            "--cluster",
            cluster);

    assertThat(cancel.exitCode()).as(cancel::describe).isZero();
    awaitNoneLeft(marker, seen);
    CrewLaunchers.Run run = crew.awaitCoordinator(submit, CrewLaunchers.RUN_TIMEOUT);
    assertThat(run.exitCode()).as(() -> "exit 4 = cancelled\n" + run.describe()).isEqualTo(4);
  }

  /**
   * A worker stopped with SIGTERM while an exec item runs: after its drain timeout it interrupts
   * the item, which stops the command's session. Only the worker is signalled here, not its
   * descendants (as {@link CrewLaunchers#stop} would).
   */
  @Test
  void stoppedWorker_leavesNoProcessBehind() {
    String ownCluster = CrewLaunchers.randomClusterName();
    int port = CrewLaunchers.freePortBase(1);
    CrewLaunchers.Worker stopped =
        crew.startWorker(
            ownCluster,
            port,
            List.of("127.0.0.1:" + port),
            1,
            List.of(),
            Map.of("CREW_SECRET", SECRET, "CREW_ALLOW_EXEC", "true"));
    CrewLaunchers.Child child = stopped.child();
    String marker = marker();
    CrewLaunchers.Child submit =
        crew.startCoordinator(
            "stopped-worker",
            "submit",
            "exec",
            "--input",
            items(marker).toString(),
            "--param",
            "cmd=sh " + spawn + " {}",
            "--secret-file",
            secretFile.toString(),
            "--connect",
            stopped.name(),
            "--cluster",
            ownCluster);
    try {
      Set<ProcessHandle> seen = awaitRunning(marker, submit);

      child.process().destroy();

      await("the worker leaving")
          .atMost(Duration.ofSeconds(60))
          .until(() -> !child.process().isAlive());
      assertThat(child.stderr()).as(stopped::describe).contains("left cluster");
      awaitNoneLeft(marker, seen);
    } finally {
      crew.stop(submit);
      crew.stop(child);
    }
  }

  /** Waits until the command and its background shell run; returns them with their children. */
  private Set<ProcessHandle> awaitRunning(String marker, CrewLaunchers.Child submit) {
    Set<ProcessHandle> seen = new LinkedHashSet<>();
    await("the command and its background child running")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () -> {
              assertThat(submit.process().isAlive())
                  .as(() -> "the coordinator exited early\n" + submit.describe())
                  .isTrue();
              for (ProcessHandle p : withMarker(marker)) {
                seen.add(p);
                p.descendants().forEach(seen::add);
              }
              assertThat(seen.stream().map(ExecIT::commandLine))
                  .as(() -> worker.describe())
                  .anyMatch(c -> c.contains("bg-" + marker))
                  .anyMatch(c -> c.contains("spawn.sh " + marker));
            });
    return seen;
  }

  private void awaitNoneLeft(String marker, Set<ProcessHandle> seen) {
    await("no process of the command left")
        .atMost(GONE_WITHIN)
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () -> {
              assertThat(withMarker(marker).stream().map(ExecIT::commandLine))
                  .as(() -> worker.describe())
                  .isEmpty();
              assertThat(seen.stream().filter(ProcessHandle::isAlive).map(ExecIT::commandLine))
                  .as("processes the command started")
                  .isEmpty();
            });
  }

  private CrewLaunchers.Run submit(String label, Path items, String... args) {
    return crew.awaitCoordinator(startSubmit(label, items, args), CrewLaunchers.RUN_TIMEOUT);
  }

  private CrewLaunchers.Child startSubmit(String label, Path items, String... args) {
    List<String> all =
        new java.util.ArrayList<>(List.of("submit", "exec", "--input", items.toString()));
    all.addAll(List.of(args));
    all.addAll(
        List.of(
            "--secret-file",
            secretFile.toString(),
            "--connect",
            worker.name(),
            "--cluster",
            cluster));
    return crew.startCoordinator(label, all.toArray(String[]::new));
  }

  private Path items(String... lines) {
    try {
      return Files.write(Files.createTempFile(crew.logDir(), "items-", ".txt"), List.of(lines));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The environment {@code env printenv} printed, from the job's one result. */
  private static Map<String, String> environmentOf(CrewLaunchers.Run run) {
    assertThat(run.exitCode()).as(run::describe).isZero();
    List<JobOutput.Line> lines = JobOutput.lines(run);
    assertThat(lines).as(run::describe).hasSize(1);
    JobOutput.Line line = lines.getFirst();
    assertThat(line.ok()).as(line.raw()).isTrue();
    return line.result()
        .path("stdout")
        .asText()
        .lines()
        .filter(l -> l.indexOf('=') > 0)
        .collect(
            Collectors.toMap(
                l -> l.substring(0, l.indexOf('=')), l -> l.substring(l.indexOf('=') + 1)));
  }

  private static String marker() {
    return "crew-exec-it-" + UUID.randomUUID();
  }

  /** Live processes whose command line holds {@code marker}. */
  private static List<ProcessHandle> withMarker(String marker) {
    return ProcessHandle.allProcesses()
        .filter(p -> commandLine(p).contains(marker))
        .filter(ProcessHandle::isAlive)
        .toList();
  }

  private static String commandLine(ProcessHandle p) {
    return p.info().commandLine().orElse("");
  }
}
