package dev.crew.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI's exit codes and messages, through picocli with captured output. */
class CoordinatorCliTest {

  /** What one invocation printed and returned. */
  record Run(int code, String out, String err) {
    List<String> outLines() {
      return out.isEmpty() ? List.of() : Arrays.asList(out.split("\n"));
    }

    List<String> errLines() {
      return err.isEmpty() ? List.of() : Arrays.asList(err.split("\n"));
    }
  }

  static Run run(String... args) {
    CommandLine cli = Coordinator.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private static void assertOneLineError(Run run, int code, String fragment) {
    assertThat(run.code()).as(run.err()).isEqualTo(code);
    assertThat(run.errLines()).as(run.err()).hasSize(1);
    assertThat(run.err())
        .startsWith("coordinator: ")
        .contains(fragment)
        .doesNotContain("Exception", "\tat ");
  }

  @Test
  void help_listsCommandsAndExitCodes() {
    Run run = run("--help");
    assertThat(run.code()).isZero();
    assertThat(run.out())
        .contains("run", "submit", "status", "results", "cancel", "cluster", "tasks")
        .contains("Exit codes:", "the cluster could not be reached");
  }

  @Test
  void help_listsTheViewsAndCompletion() {
    assertThat(run("--help").out()).contains("jobs", "top", "dashboard", "completion");
  }

  @Test
  void completion_printsABashCompletionScriptForEveryCommand() {
    Run run = run("completion");
    assertThat(run.code()).isZero();
    assertThat(run.out())
        .contains("complete -F", "coordinator")
        .contains("top", "dashboard", "jobs", "submit");
  }

  @Test
  void top_withoutATerminalIsExitCode2() {
    // Tests run with no console: top must say so in one line instead of drawing into a pipe.
    assertOneLineError(run("top"), 2, "top needs a terminal");
  }

  @Test
  void logFormat_unknownValueIsExitCode2() {
    assertOneLineError(run("--log-format", "xml", "status"), 2, "--log-format");
  }

  @Test
  void viewOptions_badValuesAreExitCode2() {
    assertOneLineError(run("jobs", "--last", "0"), 2, "--last must be at least 1");
    assertOneLineError(
        run("dashboard", "--port", "70000"), 2, "--port must be between 1 and 65535");
    // Refused before connecting: the cluster options lead nowhere.
    assertOneLineError(
        run("dashboard", "--allowed-host", "a\u001b[2Jb", "--connect", "127.0.0.1:1"),
        2,
        "--allowed-host: 'a\\u001B[2Jb' is not a host name");
  }

  @Test
  void viewOptions_statusLastBelowOneIsExitCode2() {
    assertOneLineError(run("status", "--last", "0"), 2, "--last must be at least 1, not 0");
  }

  @Test
  void retention_outsideItsRangeIsExitCode2BeforeConnecting() {
    // No cluster at port 1: a check that connected first would exit 3.
    String[] away = {"--connect", "127.0.0.1:1", "--connect-timeout", "1s"};
    assertOneLineError(
        run(concat(new String[] {"submit", "noop", "--range", "1..3", "--retention", "0s"}, away)),
        2,
        "--retention must be between 1s and 30d, not '0s'");
    assertOneLineError(
        run(concat(new String[] {"submit", "noop", "--range", "1..3", "--retention", "5y"}, away)),
        2,
        "--retention '5y' is not a duration");
  }

  @Test
  void purge_needsExactlyOneSelectionAndAValidAge() {
    String[] away = {"--connect", "127.0.0.1:1", "--connect-timeout", "1s"};
    assertOneLineError(
        run(concat(new String[] {"purge"}, away)),
        2,
        "purge needs exactly one of --job ID..., --older-than DURATION or --all-finished");
    assertOneLineError(
        run(concat(new String[] {"purge", "--all-finished", "--older-than", "1h"}, away)),
        2,
        "purge needs exactly one of");
    assertOneLineError(
        run(concat(new String[] {"purge", "--older-than", "soon"}, away)),
        2,
        "--older-than 'soon' is not a duration");
  }

  @Test
  void help_listsPurge() {
    assertThat(run("--help").out()).contains("purge", "Remove ended jobs");
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  @Test
  void submit_unreachableClusterIsExitCode3() {
    Run run =
        run(
            "submit",
            "fib",
            "--range",
            "1..3",
            "--connect",
            "127.0.0.1:1",
            "--connect-timeout",
            "1s");
    assertOneLineError(run, 3, "cannot reach cluster 'crew' at 127.0.0.1:1");
  }

  @Test
  void clusterOptions_workAfterTheSubcommandToo() {
    Run before =
        run("--connect", "127.0.0.1:2", "--connect-timeout", "1s", "--cluster", "other", "status");
    assertOneLineError(before, 3, "cluster 'other' at 127.0.0.1:2");
    Run after =
        run("status", "--connect", "127.0.0.1:2", "--connect-timeout", "1s", "--cluster", "other");
    assertOneLineError(after, 3, "cluster 'other' at 127.0.0.1:2");
  }

  @Test
  void run_unknownTaskIsExitCode2() {
    assertOneLineError(
        run("run", "fibb", "--range", "1..3"), 2, "unknown task 'fibb' (known: exec, fib, ");
  }

  @Test
  void run_malformedRangeIsExitCode2() {
    assertOneLineError(run("run", "fib", "--range", "1..x"), 2, "bad --range '1..x'");
  }

  @Test
  void run_missingInputIsExitCode2() {
    assertOneLineError(
        run("run", "fib", "--input", "/no/such/file"), 2, "--input /no/such/file: no such file");
  }

  @Test
  void run_badOptionsAreExitCode2() {
    assertOneLineError(
        run("run", "fib", "--range", "1..3", "--chunk", "big"), 2, "bad --chunk 'big'");
    assertOneLineError(
        run("run", "fib", "--range", "1..3", "--lane", "gpu"), 2, "unknown lane 'gpu'");
    Run badReduce = run("run", "fib", "--range", "1..3", "--reduce", "avg");
    assertOneLineError(badReduce, 2, "bad --reduce 'avg'");
    assertOneLineError(badReduce, 2, "(known: count, histogram, max, mean, min, sum)");
    assertOneLineError(
        run("run", "fib", "--range", "1..3", "--reduce", "sum", "--ordered"),
        2,
        "do not go together");
    assertOneLineError(
        run("run", "http-get", "--range", "1..3", "--param", "timout=3s"),
        2,
        "unknown parameter 'timout'");
  }

  @Test
  void run_missingInputOptionIsUsageError() {
    Run run = run("run", "fib");
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err()).contains("--range", "--input").doesNotContain("\tat ");
  }

  @Test
  void run_fibOrderedPrintsExactResultsAndSummary() {
    Run run = run("run", "fib", "--range", "1..25", "--ordered");
    assertThat(run.code()).as(run.err()).isZero();
    List<String> lines = run.outLines();
    assertThat(lines).hasSize(25);
    long a = 0;
    long b = 1;
    for (int n = 1; n <= 25; n++) {
      long next = a + b;
      a = b;
      b = next;
      assertThat(lines.get(n - 1))
          .startsWith("{\"index\":" + (n - 1) + ",\"item\":" + n + ",\"result\":" + a + ",");
    }
    assertThat(run.err())
        .contains(": 25 ok, 0 failed in ")
        .contains("items per worker: 127.0.0.1:");
  }

  @Test
  void run_badItemsAreRecordedAndTheRestDelivered(@TempDir Path dir) throws Exception {
    Path input = Files.writeString(dir.resolve("in.txt"), "10\nabc\n20\n");
    Run run = run("run", "fib", "--input", input.toString(), "--ordered");
    assertThat(run.code()).as(run.err()).isEqualTo(1);
    assertThat(run.outLines()).hasSize(3);
    assertThat(run.outLines().get(0)).contains("\"result\":55");
    assertThat(run.outLines().get(1)).contains("\"error\":\"not an integer: 'abc'\"");
    assertThat(run.outLines().get(2)).contains("\"result\":6765");
    assertThat(run.err()).contains("2 ok, 1 failed");
  }

  @Test
  void run_reduceSumIsExact() {
    Run run = run("run", "sum-squares", "--range", "1..300", "--reduce", "sum");
    assertThat(run.code()).as(run.err()).isZero();
    BigInteger expected = BigInteger.ZERO;
    for (long n = 1; n <= 300; n++) {
      // sum of i*i for i < n is (n-1)n(2n-1)/6
      expected = expected.add(BigInteger.valueOf((n - 1) * n * (2 * n - 1) / 6));
    }
    assertThat(run.out().trim()).isEqualTo(expected.toString());
  }

  @Test
  void run_outFileGetsTheLines(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("out.jsonl");
    Run run = run("run", "noop", "--range", "1..1000", "--out", out.toString());
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out()).isEmpty();
    List<String> lines = Files.readAllLines(out);
    assertThat(lines).hasSize(1000);
    assertThat(lines.stream().map(l -> l.replaceAll(".*\"index\":(\\d+),.*", "$1")).distinct())
        .hasSize(1000);
  }
}
