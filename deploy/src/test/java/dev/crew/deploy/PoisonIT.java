package dev.crew.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Poison items with real processes: an item that throws, an item that spins without ever checking
 * for interrupts ({@code fib 60} runs for years), and items that hang but can be interrupted
 * ({@code sleep 600000}). They must fail (after their retries where retrying makes sense) while
 * every other item of the job is delivered, and a CPU lane that had to abandon a stuck thread must
 * go on with all its slots.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class PoisonIT {
  private static final List<String> WORKER_OPTIONS =
      List.of("--cpu-threads", "2", "--lease-timeout", "4s", "--heartbeat", "500ms");
  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(120);

  /** Where the poison goes in the 200 lines of "20" (indexes in the submitted input). */
  private static final int ABC_INDEX = 50;

  private static final int SPIN_INDEX = 121;

  /** Where the two hanging items go in the 50 lines of "10". */
  private static final int HANG_INDEX_1 = 10;

  private static final int HANG_INDEX_2 = 41;

  private final String cluster = CrewLaunchers.randomClusterName();
  private CrewLaunchers crew;
  private CrewLaunchers.Worker first;
  private CrewLaunchers.Worker second;

  @BeforeAll
  void startTwoWorkers() {
    crew = new CrewLaunchers(getClass().getSimpleName());
    crew.ensureJars();
    int base = CrewLaunchers.freePortBase(2);
    List<String> join = List.of("127.0.0.1:" + base, "127.0.0.1:" + (base + 1));
    first = crew.startWorker(cluster, base, join, 1, WORKER_OPTIONS);
    second = crew.startWorker(cluster, base + 1, join, 2, WORKER_OPTIONS);
    await("first worker seeing 2 members")
        .atMost(CrewLaunchers.START_TIMEOUT)
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () ->
                assertThat(first.child().stderr())
                    .as(() -> first.describe())
                    .contains("member " + second.name() + " joined; the cluster has 2 members"));
    warmUp();
  }

  /**
   * The first item a fresh worker JVM runs also pays for loading and initialising classes (the
   * result renderer builds a Jackson mapper), which on a loaded 2-core host has been seen to take
   * over 1.5 s: with a 1 s limit a fib(20) was then abandoned as stuck. Warm both workers up (no
   * time limit) before the timed jobs.
   */
  private void warmUp() {
    Set<String> warmed = new TreeSet<>();
    for (int round = 1; round <= 5 && warmed.size() < 2; round++) {
      CrewLaunchers.Run run =
          submit("warm-up-" + round, JOB_TIMEOUT, "fib", "--range", "1..30", "--chunk", "1");
      assertThat(run.exitCode()).as(() -> logs(run)).isZero();
      warmed.addAll(JobOutput.summary(run).itemsPerWorker().keySet());
      CrewLaunchers.Run io =
          submit("warm-up-io-" + round, JOB_TIMEOUT, "sleep", "--range", "1..20");
      assertThat(io.exitCode()).as(() -> logs(io)).isZero();
    }
    System.out.println("[PoisonIT] warmed up: " + warmed);
  }

  @AfterAll
  void stopWorkers() {
    if (crew != null) {
      crew.close();
    }
  }

  @Test
  void poisonItems_failAfterRetriesOthersSucceed_laneKeepsItsSlots() throws IOException {
    // 1. CPU lane: 200 x fib(20), one item that throws, one that spins and ignores its interrupt.
    List<String> cpuItems = new ArrayList<>(Collections.nCopies(200, "20"));
    cpuItems.add(ABC_INDEX, "abc");
    cpuItems.add(SPIN_INDEX, "60");
    Path cpuInput = writeInput("fib-poison.txt", cpuItems);

    CrewLaunchers.Run poison =
        submit(
            "fib-poison",
            JOB_TIMEOUT,
            "fib",
            "--input",
            cpuInput.toString(),
            "--timeout",
            "1s",
            "--retries",
            "1",
            "--chunk",
            "1");

    System.out.printf(
        "[PoisonIT] poison CPU job: exit %d in %d ms%n",
        poison.exitCode(), poison.elapsed().toMillis());
    assertThat(poison.exitCode())
        .as(() -> "exit code 1 = some items failed\n" + logs(poison))
        .isEqualTo(1);
    Map<Integer, JobOutput.Line> cpu = byIndexExactlyOnce(poison, cpuItems.size());
    for (int i = 0; i < cpuItems.size(); i++) {
      if (i == ABC_INDEX || i == SPIN_INDEX) {
        continue;
      }
      JobOutput.Line line = cpu.get(i);
      assertThat(line.item().asText()).as(line.raw()).isEqualTo("20");
      assertThat(line.ok() && line.result().asLong() == 6_765L)
          .as(() -> "fib(20) = 6765 in " + line.raw() + "\n" + logs(poison))
          .isTrue();
    }
    JobOutput.Line abc = cpu.get(ABC_INDEX);
    assertThat(abc.item().asText()).isEqualTo("abc");
    assertThat(abc.result()).as(abc.raw()).isNull();
    assertThat(abc.error()).as(abc.raw()).contains("abc");
    // A bad item is not tried again: the error carries no "(after N tries)".
    assertThat(abc.error())
        .as("a bad item is not retried: %s", abc.raw())
        .doesNotContain("after")
        .doesNotContain("tries");

    JobOutput.Line spin = cpu.get(SPIN_INDEX);
    assertThat(spin.item().asText()).isEqualTo("60");
    assertThat(spin.result()).as(spin.raw()).isNull();
    assertThat(spin.error()).as(spin.raw()).contains("timed out after 1 s").contains("abandoned");
    CrewLaunchers.Worker abandoner = spin.worker().equals(first.name()) ? first : second;
    assertThat(abandoner.name()).as("worker of %s", spin.raw()).isEqualTo(spin.worker());
    assertThat(abandoner.child().stderr())
        .as(() -> abandoner.describe())
        .contains("item " + SPIN_INDEX + " of task ")
        .contains("ignored the interrupt");

    JobOutput.Summary poisonSummary = JobOutput.summary(poison);
    assertThat(poisonSummary.ok()).as(poisonSummary.toString()).isEqualTo(200);
    assertThat(poisonSummary.failed()).as(poisonSummary.toString()).isEqualTo(2);

    // 2. At once, another CPU job: the lane that abandoned a thread still has its slots and takes
    // part.
    Path fib15 = writeInput("fib-400x15.txt", Collections.nCopies(400, "15"));
    CrewLaunchers.Run after =
        submit("fib-after-poison", JOB_TIMEOUT, "fib", "--input", fib15.toString(), "--chunk", "1");

    System.out.printf(
        "[PoisonIT] CPU job after the poison: exit %d in %d ms%n",
        after.exitCode(), after.elapsed().toMillis());
    assertThat(after.exitCode()).as(() -> logs(after)).isZero();
    Map<Integer, JobOutput.Line> next = byIndexExactlyOnce(after, 400);
    for (JobOutput.Line line : next.values()) {
      assertThat(line.ok() && line.result().asLong() == 610L)
          .as(() -> "fib(15) = 610 in " + line.raw() + "\n" + logs(after))
          .isTrue();
    }
    JobOutput.Summary afterSummary = JobOutput.summary(after);
    assertThat(afterSummary.ok()).as(afterSummary.toString()).isEqualTo(400);
    assertThat(afterSummary.failed()).as(afterSummary.toString()).isZero();
    assertThat(afterSummary.itemsPerWorker())
        .as(() -> "items per worker after the poison: " + afterSummary + "\n" + logs(after))
        .containsOnlyKeys(first.name(), second.name())
        .allSatisfy(
            (worker, items) -> assertThat(items).as("items run by %s", worker).isPositive());

    // 3. I/O lane: items that hang but can be interrupted time out on every try, the others
    // deliver.
    List<String> ioItems = new ArrayList<>(Collections.nCopies(50, "10"));
    ioItems.add(HANG_INDEX_1, "600000");
    ioItems.add(HANG_INDEX_2, "600000");
    Path ioInput = writeInput("sleep-hang.txt", ioItems);

    CrewLaunchers.Run hang =
        submit(
            "sleep-hang",
            JOB_TIMEOUT,
            "sleep",
            "--input",
            ioInput.toString(),
            "--timeout",
            "500ms",
            "--retries",
            "2");

    System.out.printf(
        "[PoisonIT] hanging I/O job: exit %d in %d ms%n",
        hang.exitCode(), hang.elapsed().toMillis());
    assertThat(hang.exitCode())
        .as(() -> "exit code 1 = some items failed\n" + logs(hang))
        .isEqualTo(1);
    Map<Integer, JobOutput.Line> io = byIndexExactlyOnce(hang, ioItems.size());
    for (int i = 0; i < ioItems.size(); i++) {
      JobOutput.Line line = io.get(i);
      if (i == HANG_INDEX_1 || i == HANG_INDEX_2) {
        assertThat(line.item().asText()).as(line.raw()).isEqualTo("600000");
        assertThat(line.result()).as(line.raw()).isNull();
        assertThat(line.error()).as(line.raw()).isEqualTo("timed out after 500 ms (after 3 tries)");
      } else {
        assertThat(line.item().asText()).as(line.raw()).isEqualTo("10");
        assertThat(line.ok() && line.result().asLong() == 10L)
            .as(() -> "result 10 in " + line.raw() + "\n" + logs(hang))
            .isTrue();
      }
    }
    JobOutput.Summary hangSummary = JobOutput.summary(hang);
    assertThat(hangSummary.ok()).as(hangSummary.toString()).isEqualTo(50);
    assertThat(hangSummary.failed()).as(hangSummary.toString()).isEqualTo(2);
    // 3 tries of 500 ms with backoff between them; a lane that waited for the 10 minutes would be
    // caught here.
    assertThat(hangSummary.seconds()).as("job time in the summary: %s", hangSummary).isLessThan(30);

    assertThat(first.child().process().isAlive())
        .as(() -> "first worker died\n" + first.describe())
        .isTrue();
    assertThat(second.child().process().isAlive())
        .as(() -> "second worker died\n" + second.describe())
        .isTrue();
  }

  /** The run's lines by index; fails unless every index in 0..count-1 appears exactly once. */
  private Map<Integer, JobOutput.Line> byIndexExactlyOnce(CrewLaunchers.Run run, int count) {
    List<JobOutput.Line> lines = JobOutput.lines(run);
    Map<Integer, List<JobOutput.Line>> grouped =
        lines.stream().collect(Collectors.groupingBy(JobOutput.Line::index));
    List<Integer> twice =
        grouped.entrySet().stream()
            .filter(e -> e.getValue().size() > 1)
            .map(Map.Entry::getKey)
            .toList();
    assertThat(twice).as(() -> "indexes delivered more than once\n" + logs(run)).isEmpty();
    assertThat(grouped.keySet())
        .as(() -> "indexes delivered\n" + logs(run))
        .containsExactlyInAnyOrderElementsOf(
            java.util.stream.IntStream.range(0, count).boxed().toList());
    return lines.stream().collect(Collectors.toMap(JobOutput.Line::index, Function.identity()));
  }

  private CrewLaunchers.Run submit(String label, Duration timeout, String... args) {
    List<String> all = new ArrayList<>();
    all.add("submit");
    all.addAll(List.of(args));
    all.addAll(List.of("--connect", first.name() + "," + second.name(), "--cluster", cluster));
    return crew.coordinator(label, timeout, all.toArray(String[]::new));
  }

  private Path writeInput(String name, List<String> lines) throws IOException {
    return Files.write(crew.logDir().resolve(name), lines);
  }

  private String logs(CrewLaunchers.Run run) {
    return run.describe() + "\n" + first.describe() + "\n" + second.describe();
  }
}
