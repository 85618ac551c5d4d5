package dev.crew.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real {@code bin/coordinator} on its own: the documented exit codes with a one-line message
 * and no stack trace, and {@code run} with its in-process worker.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class CoordinatorErrorsIT {
  /** A cluster nobody runs: an unreachable-cluster test must not find a real one by accident. */
  private final String cluster = CrewLaunchers.randomClusterName();

  private CrewLaunchers crew;

  @BeforeAll
  void buildJarsIfStale() {
    crew = new CrewLaunchers(getClass().getSimpleName());
    crew.ensureJars();
  }

  @AfterEach
  void stopChildren() {
    crew.stopAll();
  }

  @AfterAll
  void close() {
    if (crew != null) {
      crew.close();
    }
  }

  static Stream<Arguments> errors() {
    return Stream.of(
        Arguments.of("unknown task", 2, "fibb", List.of("run", "fibb", "--range", "1..3")),
        Arguments.of("malformed range", 2, "1..x", List.of("run", "fib", "--range", "1..x")),
        Arguments.of(
            "missing input file", 2, "/no/such", List.of("run", "fib", "--input", "/no/such")),
        Arguments.of(
            "unreachable cluster",
            3,
            "127.0.0.1:1",
            List.of(
                "submit",
                "fib",
                "--range",
                "1..3",
                "--connect",
                "127.0.0.1:1",
                "--connect-timeout",
                "2s")));
  }

  @ParameterizedTest(name = "{0} -> exit {1}")
  @MethodSource("errors")
  void error_givesExitCodeAndOneLineMessage(
      String what, int exitCode, String mentioned, List<String> args) {
    String[] all =
        Stream.concat(args.stream(), Stream.of("--cluster", cluster)).toArray(String[]::new);

    CrewLaunchers.Run run =
        crew.coordinator(what.replace(' ', '-'), CrewLaunchers.RUN_TIMEOUT, all);

    assertThat(run.exitCode()).as(run::describe).isEqualTo(exitCode);
    assertThat(run.stdoutLines()).as(() -> "nothing on stdout\n" + run.describe()).isEmpty();
    List<String> stderr = run.programStderrLines();
    assertThat(stderr)
        .as(() -> "stderr: one line starting with 'coordinator:'\n" + run.describe())
        .hasSize(1)
        .allSatisfy(line -> assertThat(line).startsWith("coordinator: ").contains(mentioned));
    assertThat(run.stderrLines())
        .as(() -> "no stack trace\n" + run.describe())
        .noneMatch(line -> line.startsWith("\tat ") || line.contains("Exception"));
  }

  /** The README's acceptance example: {@code coordinator run fib --range 1..40 --ordered}. */
  @Test
  void runFib1to40Ordered_exactValues() {
    CrewLaunchers.Run run =
        crew.coordinator(
            "run-fib-40", CrewLaunchers.RUN_TIMEOUT, "run", "fib", "--range", "1..40", "--ordered");

    assertThat(run.exitCode()).as(run::describe).isZero();
    List<JobOutput.Line> lines = JobOutput.lines(run);
    assertThat(lines).as(() -> "JSON lines\n" + run.describe()).hasSize(40);
    long previous = 0;
    long current = 1; // fib(1)
    for (int i = 0; i < 40; i++) {
      JobOutput.Line line = lines.get(i);
      assertThat(line.index()).as("line %d out of order: %s", i, line.raw()).isEqualTo(i);
      assertThat(line.item().asInt()).as("item of %s", line.raw()).isEqualTo(i + 1);
      assertThat(line.ok()).as("no error in %s", line.raw()).isTrue();
      assertThat(line.result().asLong()).as("fib(%d) in %s", i + 1, line.raw()).isEqualTo(current);
      long next = previous + current;
      previous = current;
      current = next;
    }
    assertThat(previous).as("fib(40)").isEqualTo(102_334_155L);
    JobOutput.Summary summary = JobOutput.summary(run);
    assertThat(summary.ok()).as(summary.toString()).isEqualTo(40);
    assertThat(summary.failed()).as(summary.toString()).isZero();
  }
}
