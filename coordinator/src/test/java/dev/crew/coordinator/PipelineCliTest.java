package dev.crew.coordinator;

import static dev.crew.coordinator.CoordinatorCliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crew.coordinator.CoordinatorCliTest.Run;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code --then} through the CLI on an embedded worker, and what it refuses before queuing. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PipelineCliTest {

  /** Up to fib(30): noop hands integers of up to 18 digits on as numbers. */
  @Test
  void threeStages_printTheLastStagesValues_oncePerItem_inOrder() {
    Run run =
        run(
            "run",
            "fib",
            "--range",
            "1..30",
            "--chunk",
            "3",
            "--ordered",
            "--then",
            "sum-squares",
            "--then",
            "noop",
            "--then-lane",
            "io");

    assertThat(run.code()).as(run.err()).isZero();
    List<String> lines = run.out().lines().toList();
    assertThat(lines).hasSize(30);
    for (int i = 0; i < 30; i++) {
      long fib = fib(i + 1);
      BigInteger sumSquares =
          BigInteger.valueOf(fib - 1)
              .multiply(BigInteger.valueOf(fib))
              .multiply(BigInteger.valueOf(2 * fib - 1))
              .divide(BigInteger.valueOf(6));
      assertThat(lines.get(i))
          .startsWith("{\"index\":" + i + ",")
          .contains("\"result\":" + sumSquares + ",");
    }
    assertThat(run.err()).contains("30 ok, 0 failed");
  }

  @Test
  void aStageThatFails_stopsOnlyThatItem_withItsStageNamed(@TempDir Path dir) throws Exception {
    // fib refuses n above 92; sum-squares refuses n above 3,000,000,000 (fib(48) is more).
    Path input = Files.writeString(dir.resolve("in.txt"), "10\n48\n12\n100\n");

    Run run =
        run(
            "run",
            "fib",
            "--input",
            input.toString(),
            "--ordered",
            "--then",
            "sum-squares",
            "--then",
            "noop");

    assertThat(run.code()).as(run.err()).isNotZero();
    List<String> lines = run.out().lines().toList();
    assertThat(lines).hasSize(4);
    assertThat(lines.get(0)).contains("\"result\":53955,"); // fib(10) = 55: 54 * 55 * 109 / 6
    assertThat(lines.get(1)).contains("\"error\":\"stage 2 (sum-squares): ");
    assertThat(lines.get(2)).contains("\"result\":");
    assertThat(lines.get(3)).contains("\"error\":\"stage 1 (fib): ");
    assertThat(run.err()).contains("2 ok, 2 failed");
  }

  @Test
  void everyStage_showsEachStagesValue_andNullsPastAFailure(@TempDir Path dir) throws Exception {
    Path input = Files.writeString(dir.resolve("in.txt"), "10\n48\n");

    Run run =
        run(
            "run",
            "fib",
            "--input",
            input.toString(),
            "--ordered",
            "--every-stage",
            "--then",
            "sum-squares",
            "--then",
            "noop");

    List<String> lines = run.out().lines().toList();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).contains("\"stages\":[55,53955,53955]");
    assertThat(lines.get(1)).contains("\"stages\":[4807526976,null,null]");
    assertRefused(
        run("run", "fib", "--range", "1..3", "--every-stage"),
        "--every-stage needs a pipeline (--then TASK)");
  }

  @Test
  void refusals_oneLineEach_nothingQueued() {
    assertRefused(
        run("run", "fib", "--range", "1..3", "--then", "no-such-task"),
        "stage 2 (no-such-task): unknown task 'no-such-task'");
    assertRefused(
        run("run", "fib", "--range", "1..3", "--then", "fib", "--then-lane", "gpu"),
        "unknown --then-lane 'gpu' (expected cpu or io)");
    assertRefused(
        run("run", "fib", "--range", "1..3", "--then", "fib", "--then-param", "nope"),
        "bad --param 'nope'");
    assertRefused(
        run("run", "fib", "--range", "1..3", "--lane", "auto", "--then", "fib"),
        "--lane auto and --then do not go together");
    assertRefused(
        run("run", "fib", "--range", "1..3", "--broadcast", "--then", "fib"),
        "--broadcast and --then do not go together");
  }

  private static void assertRefused(Run run, String message) {
    assertThat(run.code()).as(run.err()).isEqualTo(2);
    assertThat(run.err()).contains(message).doesNotContain("\tat ");
    assertThat(run.out()).isEmpty();
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
}
