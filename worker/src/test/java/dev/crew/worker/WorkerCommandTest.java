package dev.crew.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.crew.common.ClusterConfigs;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * The worker's command line, up to the point where it would start a member: every case here must
 * fail (or print help) before {@link Worker#start}. Each run gets an isolating cluster name and a
 * time limit so that a regression that does start a member neither joins a real cluster nor hangs
 * the build.
 */
class WorkerCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    List<String> all = new ArrayList<>(List.of("--cluster", "test-" + UUID.randomUUID()));
    all.addAll(List.of(args));
    CommandLine cli = WorkerCommand.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return assertTimeoutPreemptively(
        Duration.ofSeconds(20), () -> cli.execute(all.toArray(String[]::new)));
  }

  private List<String> errLines() {
    return err.toString().lines().toList();
  }

  @Test
  void help_exitsZeroAndListsOptionsAndExitCodes() {
    int code = run("--help");

    assertThat(code).isZero();
    assertThat(out.toString())
        .contains(
            "--join",
            "--cpu-threads",
            "--io-concurrency",
            "--multicast",
            "--k8s-dns",
            "--drain-timeout",
            "--http-allowed-host",
            "--http-hide-errors")
        .contains("Exit codes:")
        .contains("0", "stopped cleanly")
        .contains("2", "bad usage")
        .contains("3", "could not start or join the cluster");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void version_exitsZero() {
    assertThat(run("--version")).isZero();
    assertThat(out.toString()).contains("crew worker");
  }

  @Test
  void ioConcurrencyZero_isBadUsageInOneLine() {
    int code = run("--io-concurrency", "0");

    assertThat(code).isEqualTo(2);
    assertThat(errLines())
        .singleElement()
        .asString()
        .startsWith("worker:")
        .contains("--io-concurrency");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void ioConcurrencyNeitherAutoNorANumber_isBadUsageInOneLine() {
    int code = run("--io-concurrency", "lots");

    assertThat(code).isEqualTo(2);
    assertThat(errLines())
        .singleElement()
        .asString()
        .startsWith("worker:")
        .contains("--io-concurrency", "auto", "'lots'");
  }

  @Test
  void cpuThreadsZero_meansDefaultAndIsNotAnError() {
    // --io-concurrency 0 stops the run before a member starts; the error it gives shows
    // --cpu-threads 0 was accepted.
    int code = run("--cpu-threads", "0", "--io-concurrency", "0");

    assertThat(code).isEqualTo(2);
    assertThat(errLines())
        .singleElement()
        .asString()
        .startsWith("worker:")
        .contains("--io-concurrency")
        .doesNotContain("cpu");
  }

  @Test
  void multicastWithJoin_isBadUsageInOneLine() {
    int code = run("--multicast", "--join", "127.0.0.1");

    assertThat(code).isEqualTo(2);
    assertThat(errLines()).singleElement().asString().startsWith("worker:").contains("multicast");
  }

  @Test
  void k8sDnsWithJoin_isBadUsageInOneLine() {
    int code = run("--k8s-dns", "crew-workers", "--join", "127.0.0.1:1");

    assertThat(code).isEqualTo(2);
    assertThat(errLines())
        .singleElement()
        .asString()
        .startsWith("worker:")
        .contains("Kubernetes DNS");
  }

  @Test
  void portNotANumber_isBadUsage() {
    int code = run("--port", "abc");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("--port").contains("abc");
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "--port, 0, port 0",
    "--port, 70000, port 70000",
    "--backups, 7, --backups",
    "--drain-timeout, soon, --drain-timeout",
    "--http-allowed-host, evil name, --http-allowed-host: 'evil name'",
  })
  void badValue_isBadUsageInOneLine(String option, String value, String mentioned) {
    // Should a check go missing, the member that starts stays alone: unique cluster, a peer list
    // that leads nowhere.
    int code = run(option, value, "--join", "127.0.0.1:1", "--bind", "127.0.0.1");

    assertThat(code).isEqualTo(2);
    assertThat(errLines()).singleElement().asString().startsWith("worker:").contains(mentioned);
  }

  @Test
  void unknownOption_isBadUsage() {
    assertThat(run("--no-such-option")).isEqualTo(2);
    assertThat(err.toString()).contains("--no-such-option");
  }

  /**
   * Clients give a silent member up before workers drop it, whatever the lease: a call in flight to
   * a member that then splits off is redone on the cluster, never answered by the split-off member
   * once the link is back.
   */
  @ParameterizedTest
  @CsvSource({"1", "3", "5", "15", "60"})
  void memberTimeout_isLongerThanTheClientsHeartbeatTimeout(long leaseSeconds) {
    assertThat(Worker.memberTimeout(Duration.ofSeconds(leaseSeconds)))
        .isGreaterThan(ClusterConfigs.HEARTBEAT_TIMEOUT);
  }
}
