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
    // sum-squares (of 0..n-1) refuses n above 3,000,000,000; fib refuses n above 92, and
    // sum-squares(10) = 285.
    // (fib first would need fib(48), half a minute of naive recursion, to make sum-squares fail.)
    Path input = Files.writeString(dir.resolve("in.txt"), "4\n10\n3\n3000000001\n");

    Run run =
        run(
            "run",
            "sum-squares",
            "--input",
            input.toString(),
            "--ordered",
            "--then",
            "fib",
            "--then",
            "noop");

    assertThat(run.code()).as(run.err()).isNotZero();
    List<String> lines = run.out().lines().toList();
    assertThat(lines).hasSize(4);
    assertThat(lines.get(0)).contains("\"result\":377,"); // 0 + 1 + 4 + 9 = 14; fib(14) = 377
    assertThat(lines.get(1)).contains("\"error\":\"stage 2 (fib): item 285 is outside 0..92");
    assertThat(lines.get(2)).contains("\"result\":5,"); // 0 + 1 + 4 = 5; fib(5) = 5
    assertThat(lines.get(3)).contains("\"error\":\"stage 1 (sum-squares): ");
    assertThat(run.err()).contains("2 ok, 2 failed");
  }

  @Test
  void everyStage_showsEachStagesValue_andNullsPastAFailure(@TempDir Path dir) throws Exception {
    Path input = Files.writeString(dir.resolve("in.txt"), "4\n10\n");

    Run run =
        run(
            "run",
            "sum-squares",
            "--input",
            input.toString(),
            "--ordered",
            "--every-stage",
            "--then",
            "fib",
            "--then",
            "noop");

    List<String> lines = run.out().lines().toList();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).contains("\"stages\":[14,377,377]");
    assertThat(lines.get(1)).contains("\"stages\":[285,null,null]");
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
