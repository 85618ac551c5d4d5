package dev.crew.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * "Jobs outlive their coordinator", with real processes: {@code bin/coordinator submit --job-id ID}
 * is idempotent. A coordinator killed with SIGKILL while it is still reading input and queuing
 * tasks is run again with the same command; the second run resumes queuing after the last task
 * already queued, queues nothing twice and prints every item of the job exactly once. A run after
 * the job is done queues nothing and prints everything again; another task under the same id is
 * refused.
 *
 * <p>That nothing ran twice is checked twice over: a worker that records a result for a task that
 * already has one logs it ("already had a result"), and when the workers leave they log how many
 * items they ran, which must add up to the items of the jobs exactly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ResumeIT {
  /**
   * Items of the big job; at 5 ms each on 2 workers x 2 cpu threads it takes ~12 s (~18 s on a
   * loaded 2-core host).
   */
  private static final int BIG_ITEMS = 10_000;

  /**
   * Kill the first coordinator once it has printed this many results. The producer keeps at most
   * ~64 tasks (320 items) ahead of the results, so queuing goes on until ~320 items before the end:
   * 1,000 of 10,000 is far from there, and the stdout of a live coordinator passes it ~1.5 s after
   * its first result.
   */
  private static final int BIG_KILL_AFTER_LINES = 1_000;

  /**
   * The job resubmitted at once, while the killed coordinator's tasks are still in the queue and
   * leased.
   */
  private static final int QUEUED_ITEMS = 520;

  private static final String QUEUED_ITEM = "100";
  private static final int QUEUED_KILL_AFTER_LINES = 5;

  private static final String SMALL_ID = "J2";
  private static final int SMALL_ITEMS = 100;

  private static final Pattern STATE = Pattern.compile("^job (\\S+): (\\w+)$", Pattern.MULTILINE);
  private static final Pattern ITEMS =
      Pattern.compile("items (\\d+)/(\\S+) done, (\\d+) ok, (\\d+) failed; tasks (\\d+)/(\\S+)");
  private static final Pattern LEFT =
      Pattern.compile(
          "worker (\\S+) left cluster '[^']*' after [0-9.,]+ s: ran (\\d+) tasks, (\\d+) items");
  private static final String DUPLICATE = "already had a result";

  private final String cluster = CrewLaunchers.randomClusterName();

  /** Suffix of the job ids of this run, so that its jobs can be told apart in shared logs. */
  private final String run = Long.toString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFFL, 36);

  /** Items the tests submitted, each once: what the workers must have run in all. */
  private final AtomicLong itemsSubmitted = new AtomicLong();

  private final AtomicBoolean someTestFailed = new AtomicBoolean();
  private CrewLaunchers crew;
  private CrewLaunchers.Worker first;
  private CrewLaunchers.Worker second;
  private CrewLaunchers.Run smallFirstRun;

  @RegisterExtension
  final TestWatcher failures =
      new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
          someTestFailed.set(true);
        }

        @Override
        public void testAborted(ExtensionContext context, Throwable cause) {
          someTestFailed.set(true);
        }
      };

  @BeforeAll
  void startTwoWorkers() {
    crew = new CrewLaunchers(getClass().getSimpleName());
    crew.ensureJars();
    int base = CrewLaunchers.freePortBase(2);
    List<String> join = List.of("127.0.0.1:" + base, "127.0.0.1:" + (base + 1));
    first = crew.startWorker(cluster, base, join, 1);
    second = crew.startWorker(cluster, base + 1, join, 2);
    await("first worker seeing 2 members")
        .atMost(CrewLaunchers.START_TIMEOUT)
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () ->
                assertThat(first.child().stderr())
                    .as(() -> first.describe())
                    .contains("member " + second.name() + " joined; the cluster has 2 members"));
  }

  @AfterEach
  void workersAlive() {
    assertThat(first.child().process().isAlive())
        .as(() -> "first worker died\n" + first.describe())
        .isTrue();
    assertThat(second.child().process().isAlive())
        .as(() -> "second worker died\n" + second.describe())
        .isTrue();
  }

  /**
   * Stops the workers, then checks from their parting lines that every submitted item ran exactly
   * once.
   */
  @AfterAll
  void stopWorkers() {
    if (crew == null) {
      return;
    }
    crew.close();
    if (someTestFailed.get() || first == null || second == null) {
      return;
    }
    long items = 0;
    StringBuilder parting = new StringBuilder();
    for (CrewLaunchers.Worker worker : List.of(first, second)) {
      Matcher m = LEFT.matcher(worker.child().stderr());
      assertThat(m.find()).as(() -> "no 'left cluster' line\n" + worker.describe()).isTrue();
      items += Long.parseLong(m.group(3));
      parting.append(m.group()).append('\n');
    }
    System.out.printf("ResumeIT: workers' parting lines:%n%s", parting);
    long expected = itemsSubmitted.get();
    assertThat(items)
        .as(
            () ->
                "items run by the workers, against %d submitted (more = some ran twice)\n%s\n%s\n%s"
                    .formatted(expected, parting, first.describe(), second.describe()))
        .isEqualTo(expected);
  }

  @Test
  @Order(1)
  void coordinatorKilledMidSubmit_resubmitSameId_everyItemExactlyOnce() throws Exception {
    String id = "resume-" + run;
    Path input = writeInput("sleep-" + BIG_ITEMS + "x5.txt", Collections.nCopies(BIG_ITEMS, "5"));
    String[] submit =
        submitArgs(
            "sleep", "--input", input.toString(), "--lane", "cpu", "--chunk", "5", "--job-id", id);

    CrewLaunchers.Child cutOff = crew.startCoordinator("big-1-killed", submit);
    Killed killed = killAfterLines(cutOff, BIG_KILL_AFTER_LINES);
    itemsSubmitted.addAndGet(BIG_ITEMS);

    Status afterKill = status(id);
    // "running" would mean queuing was over before the kill: the kill point is too late for what
    // this tests.
    assertThat(afterKill.state())
        .as(
            () ->
                "state of the job cut off while queuing (killed at %d lines)\n%s\n%s"
                    .formatted(killed.lines(), afterKill.text(), cutOff.describe()))
        .isEqualTo("submitting");
    assertThat(afterKill.totalItems()).as(afterKill.text()).isEqualTo("?");
    assertThat(afterKill.totalTasks()).as(afterKill.text()).isEqualTo("?");
    assertThat(afterKill.itemsDone())
        .as(
            () ->
                "results stored >= lines the killed coordinator printed (%d)\n%s"
                    .formatted(killed.lines(), afterKill.text()))
        .isGreaterThanOrEqualTo(killed.lines())
        .isLessThan(BIG_ITEMS);

    CrewLaunchers.Run resumed =
        crew.coordinator("big-2-resumed", CrewLaunchers.RUN_TIMEOUT, submit);

    assertThat(resumed.exitCode()).as(() -> logs(resumed)).isZero();
    assertEveryIndexOnce(resumed, BIG_ITEMS, line -> assertSlept5(line));
    JobOutput.Summary summary = JobOutput.summary(resumed);
    assertThat(summary.ok()).as(() -> summary + "\n" + logs(resumed)).isEqualTo(BIG_ITEMS);
    assertThat(summary.failed()).as(summary.toString()).isZero();
    assertThat(summary.itemsPerWorker().values().stream().mapToLong(Long::longValue).sum())
        .as("items per worker in %s", summary)
        .isEqualTo(BIG_ITEMS);

    Status done = status(id);
    assertThat(done.state()).as(done.text()).isEqualTo("done");
    assertThat(done.text())
        .contains(
            "items %d/%d done, %d ok, 0 failed; tasks %d/%d"
                .formatted(BIG_ITEMS, BIG_ITEMS, BIG_ITEMS, BIG_ITEMS / 5, BIG_ITEMS / 5));

    CrewLaunchers.Run stored = coordinator("big-3-results", "results", id);
    assertThat(stored.exitCode()).as(() -> logs(stored)).isZero();
    List<JobOutput.Line> storedLines =
        assertEveryIndexOnce(stored, BIG_ITEMS, line -> assertSlept5(line));
    for (int i = 0; i < storedLines.size(); i++) {
      assertThat(storedLines.get(i).index())
          .as("'results' in input order: line %d", i)
          .isEqualTo(i);
    }
    assertThat(stored.programStderrLines()).as(() -> logs(stored)).isEmpty();

    // A third submission of the finished job: nothing queued, everything printed again.
    CrewLaunchers.Run again = crew.coordinator("big-4-again", CrewLaunchers.RUN_TIMEOUT, submit);
    assertThat(again.exitCode()).as(() -> logs(again)).isZero();
    assertEveryIndexOnce(again, BIG_ITEMS, line -> assertSlept5(line));
    JobOutput.Summary againSummary = JobOutput.summary(again);
    assertThat(againSummary.ok()).as(() -> againSummary + "\n" + logs(again)).isEqualTo(BIG_ITEMS);
    assertThat(againSummary.itemsPerWorker())
        .as(againSummary.toString())
        .isEqualTo(summary.itemsPerWorker());
    assertNoDuplicateResults(id);

    System.out.printf(
        "ResumeIT big job %s: killed after %d ms at %d lines (%s); resumed run %d ms printed %d lines;"
            + " third run %d ms (summary %.2f s)%n",
        id,
        killed.afterMillis(),
        killed.lines(),
        afterKill.text().lines().filter(l -> l.contains("items")).findFirst().orElse("").trim(),
        resumed.elapsed().toMillis(),
        resumed.stdoutLines().size(),
        again.elapsed().toMillis(),
        JobOutput.summary(again).seconds());
  }

  /**
   * The second run is started at once, while tasks the killed coordinator queued are still waiting
   * in the queue or leased: the resume point must come from there, not only from the results. Items
   * of 100 ms in tasks of 5 make a task 500 ms: the ~64 tasks the producer keeps ahead are ~8 s of
   * work for the 4 cpu slots, longer than a coordinator takes to start; 104 tasks in all, so
   * queuing lasts until 40 tasks are done (~5 s), and the kill (at the first task's results, ~0.5
   * s) lands well before that.
   */
  @Test
  @Order(2)
  void coordinatorKilled_resubmittedAtOnce_resumesAfterTasksStillQueued() throws Exception {
    String id = "queued-" + run;
    Path input = writeInput("sleep-520x100.txt", Collections.nCopies(QUEUED_ITEMS, QUEUED_ITEM));
    String[] submit =
        submitArgs(
            "sleep", "--input", input.toString(), "--lane", "cpu", "--chunk", "5", "--job-id", id);

    CrewLaunchers.Child cutOff = crew.startCoordinator("queued-1-killed", submit);
    Killed killed = killAfterLines(cutOff, QUEUED_KILL_AFTER_LINES);
    itemsSubmitted.addAndGet(QUEUED_ITEMS);

    CrewLaunchers.Child resumer = crew.startCoordinator("queued-2-resumed", submit);
    // The first lines it prints are the results stored before it started (read from the map in one
    // go).
    long[] firstBurst = {-1};
    await("first lines of " + resumer.label())
        .atMost(CrewLaunchers.RUN_TIMEOUT)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(10))
        .until(
            () -> {
              long lines = CrewLaunchers.lineCount(resumer.out());
              if (lines > 0 || !resumer.process().isAlive()) {
                firstBurst[0] = lines;
                return true;
              }
              return false;
            });
    CrewLaunchers.Run resumed = crew.awaitCoordinator(resumer, CrewLaunchers.RUN_TIMEOUT);

    assertThat(resumed.exitCode()).as(() -> logs(resumed)).isZero();
    assertEveryIndexOnce(
        resumed,
        QUEUED_ITEMS,
        line ->
            assertThat(
                    line.ok()
                        && line.result().asLong() == 100
                        && line.item().asText().equals(QUEUED_ITEM))
                .as("slept 100 ms in %s", line.raw())
                .isTrue());
    Status done = status(id);
    assertThat(done.state()).as(done.text()).isEqualTo("done");
    assertThat(done.text()).contains("items 520/520 done, 520 ok, 0 failed; tasks 104/104");
    assertNoDuplicateResults(id);
    // The killed coordinator had queued at least 64 tasks beyond those whose results it had
    // printed.
    long queuedAtLeast = Math.min(QUEUED_ITEMS, killed.lines() + 64L * 5);
    System.out.printf(
        "ResumeIT queued job %s: killed after %d ms at %d lines (so >= %d items queued); the resumed run found %d"
            + " items' results stored (%s), took %d ms%n",
        id,
        killed.afterMillis(),
        killed.lines(),
        queuedAtLeast,
        firstBurst[0],
        firstBurst[0] < queuedAtLeast
            ? "so it resumed while tasks were still queued or leased"
            : "NOT while tasks were still queued: the host was too slow for this test's point",
        resumed.elapsed().toMillis());
  }

  @Test
  @Order(3)
  void resubmitFinishedJob_queuesNothingAndPrintsAll() {
    CrewLaunchers.Run firstRun = smallJob();
    Status before = status(SMALL_ID);
    assertThat(before.state()).as(before.text()).isEqualTo("done");
    assertThat(before.itemsDone()).as(before.text()).isEqualTo(SMALL_ITEMS);

    CrewLaunchers.Run secondRun = coordinator("small-2-again", submitArgs(smallJobArgs()));

    assertThat(secondRun.exitCode()).as(() -> logs(secondRun)).isZero();
    List<JobOutput.Line> secondLines =
        assertEveryIndexOnce(secondRun, SMALL_ITEMS, ResumeIT::assertSumSquares);
    // The very same stored results, down to the worker that ran each item.
    assertThat(sortedRaw(secondLines))
        .as("lines of the second run")
        .isEqualTo(sortedRaw(JobOutput.lines(firstRun)));
    JobOutput.Summary firstSummary = JobOutput.summary(firstRun);
    JobOutput.Summary secondSummary = JobOutput.summary(secondRun);
    assertThat(secondSummary.ok()).as(secondSummary.toString()).isEqualTo(SMALL_ITEMS);
    assertThat(secondSummary.itemsPerWorker())
        .as(secondSummary.toString())
        .isEqualTo(firstSummary.itemsPerWorker());
    assertThat(secondSummary.seconds()).as("no work to wait for: %s", secondSummary).isLessThan(10);

    Status after = status(SMALL_ID);
    assertThat(after.state()).as(after.text()).isEqualTo("done");
    assertThat(after.tasksDone())
        .as("tasks recorded: before\n%s\nafter\n%s", before.text(), after.text())
        .isEqualTo(before.tasksDone());
    assertThat(after.totalTasks()).as(after.text()).isEqualTo(before.totalTasks());
    assertNoDuplicateResults(SMALL_ID);
    System.out.printf(
        "ResumeIT %s: first run %d ms (%s); second run %d ms (%s); status: %s%n",
        SMALL_ID,
        firstRun.elapsed().toMillis(),
        firstSummary,
        secondRun.elapsed().toMillis(),
        secondSummary,
        after.text().lines().filter(l -> l.contains("items")).findFirst().orElse("").trim());
  }

  @Test
  @Order(4)
  void sameIdOtherTask_refused() {
    smallJob();

    CrewLaunchers.Run refused =
        coordinator(
            "small-3-other-task", submitArgs("noop", "--range", "1..3", "--job-id", SMALL_ID));

    assertThat(refused.exitCode()).as(() -> logs(refused)).isEqualTo(2);
    assertThat(refused.stdoutLines()).as(() -> logs(refused)).isEmpty();
    assertThat(refused.programStderrLines()).as(() -> logs(refused)).hasSize(1);
    assertThat(refused.programStderrLines().getFirst()).contains("already exists");
    Status after = status(SMALL_ID);
    assertThat(after.state()).as(after.text()).isEqualTo("done");
    assertThat(after.text()).contains("task sum-squares").contains("items 100/100 done");
  }

  // --- the small job J2, submitted once for the tests that need it ---

  private static String[] smallJobArgs() {
    return new String[] {"sum-squares", "--range", "1.." + SMALL_ITEMS, "--job-id", SMALL_ID};
  }

  private CrewLaunchers.Run smallJob() {
    if (smallFirstRun == null) {
      CrewLaunchers.Run run = coordinator("small-1", submitArgs(smallJobArgs()));
      assertThat(run.exitCode()).as(() -> logs(run)).isZero();
      assertEveryIndexOnce(run, SMALL_ITEMS, ResumeIT::assertSumSquares);
      itemsSubmitted.addAndGet(SMALL_ITEMS);
      smallFirstRun = run;
    }
    return smallFirstRun;
  }

  /** Item n (index n-1) of sum-squares: the sum of i*i for 0 <= i < n. */
  private static void assertSumSquares(JobOutput.Line line) {
    long n = line.index() + 1L;
    BigInteger expected = BigInteger.valueOf((n - 1) * n * (2 * n - 1) / 6);
    assertThat(line.ok()).as("no error in %s", line.raw()).isTrue();
    assertThat(line.item().asLong()).as("item in %s", line.raw()).isEqualTo(n);
    assertThat(new BigInteger(line.result().asText()))
        .as("result in %s", line.raw())
        .isEqualTo(expected);
  }

  private static void assertSlept5(JobOutput.Line line) {
    assertThat(line.ok() && line.result().isIntegralNumber() && line.result().asLong() == 5)
        .as("result 5 in %s", line.raw())
        .isTrue();
    assertThat(line.item().asText()).as("item in %s", line.raw()).isEqualTo("5");
  }

  private static List<String> sortedRaw(List<JobOutput.Line> lines) {
    return lines.stream()
        .sorted(Comparator.comparingInt(JobOutput.Line::index))
        .map(JobOutput.Line::raw)
        .toList();
  }

  // --- running and killing coordinators ---

  private String[] submitArgs(String... args) {
    List<String> all = new ArrayList<>();
    all.add("submit");
    all.addAll(List.of(args));
    all.addAll(List.of("--connect", first.name(), "--cluster", cluster));
    return all.toArray(String[]::new);
  }

  private CrewLaunchers.Run coordinator(String label, String... args) {
    String[] all = args;
    if (!args[0].equals("submit")) {
      List<String> withCluster = new ArrayList<>(List.of(args));
      withCluster.addAll(List.of("--connect", first.name(), "--cluster", cluster));
      all = withCluster.toArray(String[]::new);
    }
    return crew.coordinator(label, CrewLaunchers.RUN_TIMEOUT, all);
  }

  private record Killed(long lines, long afterMillis) {}

  /**
   * Waits until the coordinator has printed {@code lines} result lines, then kills its JVM with
   * SIGKILL (the launcher execs java, so the child process is the JVM) and returns how many whole
   * lines it had printed.
   */
  private Killed killAfterLines(CrewLaunchers.Child child, int lines)
      throws InterruptedException, IOException {
    await(child.label() + " printing " + lines + " lines")
        .atMost(Duration.ofSeconds(90))
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(20))
        .untilAsserted(
            () -> {
              if (!child.process().isAlive()) {
                throw new AssertionError(
                    "the coordinator exited (code "
                        + child.process().exitValue()
                        + ") before it was killed\n"
                        + child.describe());
              }
              assertThat(CrewLaunchers.lineCount(child.out())).isGreaterThanOrEqualTo(lines);
            });
    Process process = child.process();
    assertThat(process.descendants().toList())
        .as("the launcher execs the JVM: it has no children\n%s", child.describe())
        .isEmpty();
    process
        .info()
        .command()
        .ifPresent(command -> assertThat(command).as("the child's command").endsWith("java"));
    process.destroyForcibly();
    assertThat(process.waitFor(10, TimeUnit.SECONDS))
        .as("%s gone after SIGKILL", child.label())
        .isTrue();
    long afterMillis = (System.nanoTime() - child.startedNanos()) / 1_000_000;
    assertThat(process.exitValue())
        .as("exit code of a JVM killed with SIGKILL\n%s", child.describe())
        .isEqualTo(137);
    return new Killed(CrewLaunchers.lineCount(child.out()), afterMillis);
  }

  // --- coordinator status ---

  private record Status(
      String text,
      String state,
      long itemsDone,
      String totalItems,
      long tasksDone,
      String totalTasks) {}

  private Status status(String id) {
    CrewLaunchers.Run run = coordinator("status-" + id, "status", id);
    assertThat(run.exitCode()).as(() -> logs(run)).isZero();
    String text = String.join("\n", run.stdoutLines());
    Matcher state = STATE.matcher(text);
    Matcher items = ITEMS.matcher(text);
    assertThat(state.find() && items.find()).as(() -> "status output\n" + logs(run)).isTrue();
    assertThat(state.group(1)).as(text).isEqualTo(id);
    return new Status(
        text,
        state.group(2),
        Long.parseLong(items.group(1)),
        items.group(2),
        Long.parseLong(items.group(5)),
        items.group(6));
  }

  // --- checks ---

  /**
   * Parses the JSON lines: exactly {@code items} of them, indexes 0..items-1 each once, each
   * passing {@code check}.
   */
  private List<JobOutput.Line> assertEveryIndexOnce(
      CrewLaunchers.Run run, int items, java.util.function.Consumer<JobOutput.Line> check) {
    List<JobOutput.Line> lines = JobOutput.lines(run);
    int[] seen = new int[items];
    List<String> wrong = new ArrayList<>();
    for (JobOutput.Line line : lines) {
      if (line.index() < 0 || line.index() >= items) {
        wrong.add("index out of range: " + line.raw());
        continue;
      }
      seen[line.index()]++;
      check.accept(line);
    }
    for (int i = 0; i < items; i++) {
      if (seen[i] != 1) {
        wrong.add("index " + i + " printed " + seen[i] + " times");
      }
    }
    assertThat(wrong)
        .as(
            () ->
                "%d lines, %d problems (first 20 shown)\n%s\n%s"
                    .formatted(
                        lines.size(),
                        wrong.size(),
                        String.join("\n", wrong.subList(0, Math.min(20, wrong.size()))),
                        logs(run)))
        .isEmpty();
    assertThat(lines).as(() -> logs(run)).hasSize(items);
    return lines;
  }

  /**
   * No worker recorded a second result for a task of {@code jobId}: none of its tasks ran twice.
   */
  private void assertNoDuplicateResults(String jobId) {
    for (CrewLaunchers.Worker worker : List.of(first, second)) {
      List<String> duplicates =
          worker
              .child()
              .stderr()
              .lines()
              .filter(l -> l.contains(DUPLICATE) && l.contains("task " + jobId + "/"))
              .collect(Collectors.toList());
      assertThat(duplicates)
          .as(() -> "tasks of %s that ran twice\n%s".formatted(jobId, worker.describe()))
          .isEmpty();
    }
  }

  private Path writeInput(String name, List<String> lines) throws IOException {
    return Files.write(crew.logDir().resolve(name), lines);
  }

  private String logs(CrewLaunchers.Run run) {
    return run.describe() + "\n" + first.describe() + "\n" + second.describe();
  }
}
