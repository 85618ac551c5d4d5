package dev.crew.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input is answered the same way whatever its shape, with the real {@code bin/coordinator}
 * against a real worker: each encoding case from {@code --input FILE} and from standard input gives
 * the same exit code and the same line, and no job is left "submitting"; {@code --out} leaves an
 * existing file alone until the job ends; a {@code --job-id} reused with other input is refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class InputIT {
  private static final Pattern STATE = Pattern.compile("^job (\\S+): (\\w+)$", Pattern.MULTILINE);
  private static final Pattern ITEM = Pattern.compile("\"item\":\"?([^\",]*)\"?,");

  private final String cluster = CrewLaunchers.randomClusterName();
  private final AtomicInteger jobs = new AtomicInteger();
  private CrewLaunchers crew;
  private int port;

  @TempDir Path dir;

  @BeforeAll
  void startWorker() {
    crew = new CrewLaunchers(getClass().getSimpleName());
    crew.ensureJars();
    port = CrewLaunchers.freePortBase(1);
    crew.startWorker(cluster, port, List.of("127.0.0.1:" + port), 1);
  }

  @AfterAll
  void close() {
    if (crew != null) {
      crew.close();
    }
  }

  static Stream<Arguments> encodings() {
    byte[] longLine = new byte[(1 << 20) + 1];
    java.util.Arrays.fill(longLine, (byte) '7');
    return Stream.of(
        Arguments.of("UTF-8 BOM and CRLF", concat(bytes("\uFEFF1\r\n2\r\n3")), 0, ""),
        Arguments.of(
            "invalid UTF-8",
            concat(bytes("1\n2"), new byte[] {(byte) 0xE9}, bytes("\n3\n")),
            2,
            "input line 2 (byte offset 3): not valid UTF-8"),
        Arguments.of(
            "NUL byte",
            concat(bytes("1\n"), new byte[] {0}, bytes("\n")),
            2,
            "input line 2 (byte offset 2): a NUL byte"),
        Arguments.of(
            "UTF-16",
            "1\n2\n".getBytes(StandardCharsets.UTF_16),
            2,
            "input line 1 (byte offset 0): a UTF-16 byte-order mark"),
        Arguments.of(
            "line over 1 MiB",
            concat(bytes("1\n"), longLine, bytes("\n")),
            2,
            "input line 2 (byte offset 2): the line is longer than 1 MiB"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("encodings")
  void encoding_sameOutcomeFromFileAndStdin(
      String what, byte[] content, int exitCode, String problem) {
    Path input = write(content);
    String fileJob = "file-" + jobs.incrementAndGet();
    String stdinJob = "stdin-" + jobs.incrementAndGet();

    CrewLaunchers.Run fromFile =
        coordinator(fileJob, "submit", "noop", "--input", input.toString(), "--job-id", fileJob);
    CrewLaunchers.Run fromStdin =
        crew.coordinatorReading(
            input,
            stdinJob,
            CrewLaunchers.RUN_TIMEOUT,
            withCluster("submit", "noop", "--input", "-", "--job-id", stdinJob));

    assertThat(fromFile.exitCode()).as(fromFile::describe).isEqualTo(exitCode);
    assertThat(fromStdin.exitCode()).as(fromStdin::describe).isEqualTo(exitCode);
    if (exitCode == 0) {
      assertThat(items(fromStdin)).as(fromStdin::describe).containsExactlyInAnyOrder("1", "2", "3");
      assertThat(items(fromFile)).as(fromFile::describe).containsExactlyInAnyOrder("1", "2", "3");
    } else {
      assertThat(fromFile.programStderrLines())
          .as(fromFile::describe)
          .containsExactly("coordinator: " + problemLine(fromFile));
      assertThat(problemLine(fromFile)).as(fromFile::describe).startsWith(problem);
      assertThat(fromStdin.programStderrLines())
          .as(() -> "the same line from standard input\n" + fromStdin.describe())
          .isEqualTo(fromFile.programStderrLines());
      assertThat(fromFile.stdoutLines()).as(fromFile::describe).isEmpty();
      assertThat(fromStdin.stdoutLines()).as(fromStdin::describe).isEmpty();
    }
    assertThat(state(fileJob)).isNotEqualTo("submitting");
    assertThat(state(stdinJob)).isNotEqualTo("submitting");
  }

  /**
   * Standard input past the look-ahead: the job has started when the bad line arrives; the same
   * problem, exit code 2, and the job ends "abandoned", not "submitting". A file with the same
   * bytes is refused before anything is queued.
   */
  @Test
  void stdinPastTheLookAhead_jobAbandonedWithTheSameLine() {
    Path input =
        write(concat(bytes("5\n".repeat(2_500_000)), new byte[] {(byte) 0xFF}, bytes("\n")));
    String problem = "input line 2500001 (byte offset 5000000): not valid UTF-8";
    String fileJob = "late-file-" + jobs.incrementAndGet();
    String stdinJob = "late-stdin-" + jobs.incrementAndGet();

    CrewLaunchers.Run fromFile =
        coordinator(fileJob, "submit", "noop", "--input", input.toString(), "--job-id", fileJob);
    CrewLaunchers.Run fromStdin =
        crew.coordinatorReading(
            input,
            stdinJob,
            CrewLaunchers.RUN_TIMEOUT,
            withCluster(
                "submit", "noop", "--input", "-", "--job-id", stdinJob, "--reduce", "count"));

    assertThat(fromFile.exitCode()).as(fromFile::describe).isEqualTo(2);
    assertThat(fromFile.programStderrLines()).hasSize(1).allMatch(l -> l.contains(problem));
    assertThat(state(fileJob)).as("nothing queued from the file").isEqualTo("none");
    assertThat(fromStdin.exitCode()).as(fromStdin::describe).isEqualTo(2);
    assertThat(fromStdin.programStderrLines())
        .as(fromStdin::describe)
        .hasSize(1)
        .allMatch(l -> l.contains(problem) && l.contains("job " + stdinJob + " abandoned"));
    assertThat(state(stdinJob)).isEqualTo("abandoned");
  }

  @Test
  void out_unreachableCluster_leavesTheExistingFileUntouched() throws IOException {
    Path out = Files.writeString(dir.resolve("results.jsonl"), "precious\n");

    CrewLaunchers.Run run =
        crew.coordinator(
            "out-unreachable",
            CrewLaunchers.RUN_TIMEOUT,
            "submit",
            "noop",
            "--range",
            "1..3",
            "--out",
            out.toString(),
            "--connect",
            "127.0.0.1:1",
            "--connect-timeout",
            "2s",
            "--cluster",
            cluster);

    assertThat(run.exitCode()).as(run::describe).isEqualTo(3);
    assertThat(Files.readString(out)).isEqualTo("precious\n");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).as("no temporary file left behind").containsExactly(out);
    }
  }

  @Test
  void out_jobDone_replacesTheFileWhole() throws IOException {
    Path out = Files.writeString(dir.resolve("done.jsonl"), "old line\n".repeat(10));

    CrewLaunchers.Run run =
        coordinator("out-done", "submit", "noop", "--range", "1..3", "--out", out.toString());

    assertThat(run.exitCode()).as(run::describe).isZero();
    assertThat(Files.readAllLines(out)).hasSize(3).noneMatch(l -> l.contains("old line"));
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).as("no temporary file left behind").containsExactly(out);
    }
  }

  @Test
  void jobId_otherInput_refused_sameInput_answered() {
    String rangeJob = "same-range-" + jobs.incrementAndGet();
    assertThat(
            coordinator("r1", "submit", "noop", "--range", "1..5", "--job-id", rangeJob).exitCode())
        .isZero();
    CrewLaunchers.Run otherRange =
        coordinator("r2", "submit", "noop", "--range", "1..6", "--job-id", rangeJob);
    assertThat(otherRange.exitCode()).as(otherRange::describe).isEqualTo(2);
    assertThat(otherRange.programStderrLines())
        .as(otherRange::describe)
        .containsExactly(
            "coordinator: job '"
                + rangeJob
                + "' already exists with other input; choose another --job-id (the same input"
                + " shows its results)");
    assertThat(otherRange.stdoutLines()).as("not the first input's results").isEmpty();

    String linesJob = "same-lines-" + jobs.incrementAndGet();
    Path first = write(bytes("1\n2\n"));
    CrewLaunchers.Run original =
        crew.coordinatorReading(
            first,
            "l1",
            CrewLaunchers.RUN_TIMEOUT,
            withCluster("submit", "noop", "--input", "-", "--job-id", linesJob));
    assertThat(original.exitCode()).as(original::describe).isZero();
    CrewLaunchers.Run other =
        crew.coordinatorReading(
            write(bytes("1\n3\n")),
            "l2",
            CrewLaunchers.RUN_TIMEOUT,
            withCluster("submit", "noop", "--input", "-", "--job-id", linesJob));
    assertThat(other.exitCode()).as(other::describe).isEqualTo(2);
    assertThat(other.stdoutLines()).as(other::describe).isEmpty();
    CrewLaunchers.Run sameItemsAsAFile =
        coordinator(
            "l3",
            "submit",
            "noop",
            "--input",
            write(bytes("1\r\n2\r\n")).toString(),
            "--job-id",
            linesJob);
    assertThat(sameItemsAsAFile.exitCode()).as(sameItemsAsAFile::describe).isZero();
    assertThat(items(sameItemsAsAFile)).containsExactlyInAnyOrder("1", "2");
  }

  private CrewLaunchers.Run coordinator(String label, String... args) {
    return crew.coordinator(label, CrewLaunchers.RUN_TIMEOUT, withCluster(args));
  }

  private String[] withCluster(String... args) {
    return Stream.concat(
            Stream.of(args), Stream.of("--connect", "127.0.0.1:" + port, "--cluster", cluster))
        .toArray(String[]::new);
  }

  /** The job's state as {@code status} shows it, or {@code none} if the cluster has no such job. */
  private String state(String jobId) {
    CrewLaunchers.Run run = coordinator("status-" + jobId, "status", jobId);
    if (run.exitCode() == 2 && String.join("\n", run.stderrLines()).contains("no job '" + jobId)) {
      return "none";
    }
    assertThat(run.exitCode()).as(run::describe).isZero();
    Matcher m = STATE.matcher(String.join("\n", run.stdoutLines()));
    assertThat(m.find()).as(run::describe).isTrue();
    return m.group(2);
  }

  private static String problemLine(CrewLaunchers.Run run) {
    List<String> lines = run.programStderrLines();
    return lines.isEmpty() ? "" : lines.getFirst().replaceFirst("^coordinator: ", "");
  }

  private static List<String> items(CrewLaunchers.Run run) {
    return run.stdoutLines().stream()
        .map(ITEM::matcher)
        .filter(Matcher::find)
        .map(m -> m.group(1))
        .toList();
  }

  private Path write(byte[] content) {
    try {
      return Files.write(Files.createTempFile(dir, "input", ".txt"), content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
