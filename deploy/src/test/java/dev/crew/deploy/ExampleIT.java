package dev.crew.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The client library's example program ({@code examples/run}), a plain Java program built on it,
 * against two real workers ({@code bin/worker}) that hold a cluster secret: a CPU job and an I/O
 * job whose every result it checks as they arrive, and a third job it cancels.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ExampleIT {
  private static final Pattern IO_SUMMARY =
      Pattern.compile("io: job \\S+: 1000 ok, 0 failed at \\d+ ms; items per worker: \\{(.*)}");

  private final CrewLaunchers crew = new CrewLaunchers(getClass().getSimpleName());

  @Test
  void fanOut_twoWorkers_everyResultCheckedAndTheThirdJobCancelled() {
    String cluster = CrewLaunchers.randomClusterName();
    String secret = "example-secret-" + cluster;
    Map<String, String> env = Map.of("CREW_SECRET", secret);
    try (crew) {
      crew.ensureJars();
      int base = CrewLaunchers.freePortBase(2);
      List<String> join = List.of("127.0.0.1:" + base, "127.0.0.1:" + (base + 1));
      CrewLaunchers.Worker first = crew.startWorker(cluster, base, join, 1, List.of(), env);
      CrewLaunchers.Worker second = crew.startWorker(cluster, base + 1, join, 2, List.of(), env);
      await("the first worker seeing the second")
          .atMost(CrewLaunchers.START_TIMEOUT)
          .until(() -> first.child().stderr().contains("the cluster has 2 members"));

      CrewLaunchers.Run run =
          crew.example(
              "fan-out",
              CrewLaunchers.BUILD_TIMEOUT,
              Map.of(
                  "CREW_SECRET", secret,
                  "CREW_CLUSTER", cluster,
                  "CREW_CONNECT", String.join(",", join)));

      String out = String.join("\n", run.stdoutLines());
      assertThat(run.exitCode()).as(run::describe).isZero();
      assertThat(out)
          .contains("workers: [" + first.name() + ", " + second.name() + "]")
          .containsPattern("cpu: job fib-\\S+: 31 ok, 0 failed at")
          .containsPattern("io: first result after \\d+ ms, while the job was still running")
          .containsPattern("cancelled: true")
          .containsPattern("cancel: job fib-\\S+: \\d+ ok, 0 failed, cancelled")
          .contains("every result checked")
          .doesNotContain("problem:");
      // The I/O job ran on both workers.
      Matcher io = IO_SUMMARY.matcher(out);
      assertThat(io.find()).as(out).isTrue();
      assertThat(io.group(1)).contains(first.name() + "=").contains(second.name() + "=");
      assertThat(run.programStderrLines()).noneMatch(line -> line.contains("Exception"));
      assertThat(first.child().process().isAlive()).isTrue();
      assertThat(second.child().process().isAlive()).isTrue();
    }
  }

  @Test
  void fanOut_noWorkerThere_oneLineAndExitCode2() {
    try (crew) {
      int port = CrewLaunchers.freePortBase(1);
      CrewLaunchers.Run run =
          crew.example(
              "unreachable",
              CrewLaunchers.BUILD_TIMEOUT,
              Map.of(
                  "CREW_CLUSTER", "nobody-" + port,
                  "CREW_CONNECT", "127.0.0.1:" + port));

      assertThat(run.exitCode()).as(run::describe).isEqualTo(2);
      assertThat(run.programStderrLines())
          .as(run::describe)
          .singleElement()
          .asString()
          .startsWith("fan-out: cannot reach cluster 'nobody-" + port + "'");
    }
  }
}
