package dev.crew.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Pipelines with real processes: three {@code bin/worker}s run a three-stage pipeline over 10,000
 * items ({@code sleep} on the CPU lane, then {@code sum-squares}, then {@code noop} on the I/O
 * lane). The second stage is seen running while the first still is ({@code status}, polled with
 * timestamps); a worker killed with SIGKILL mid-pipeline, or the coordinator, loses and doubles
 * nothing: every item's final value comes out once, right.
 */
@Tag("faults")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PipelineIT {
  private static final int ITEMS = 10_000;

  /** Items per task: 2,000 tasks per stage. */
  private static final int CHUNK = 5;

  private static final Pattern STAGE =
      Pattern.compile("(\\d+) (\\S+) (\\d+)/(\\S+) \\((cpu|io)\\)");

  private final String cluster = CrewLaunchers.randomClusterName();
  private final String run = Long.toString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFFL, 36);
  private CrewLaunchers crew;
  private final List<CrewLaunchers.Worker> workers = new ArrayList<>();
  private Path input;

  @BeforeAll
  void startThreeWorkers() throws IOException {
    crew = new CrewLaunchers(getClass().getSimpleName());
    crew.ensureJars();
    int base = CrewLaunchers.freePortBase(3);
    List<String> join = List.of("127.0.0.1:" + base, "127.0.0.1:" + (base + 1));
    for (int i = 0; i < 3; i++) {
      workers.add(crew.startWorker(cluster, base + i, join, i + 1));
    }
    // Item i sleeps 1 + i % 9 ms: ~5 ms each, ~8 s for the first stage on 6 CPU slots.
    List<String> lines = new ArrayList<>(ITEMS);
    for (int i = 0; i < ITEMS; i++) {
      lines.add(Integer.toString(sleptMillis(i)));
    }
    input = crew.logDir().resolve("pipeline-input.txt");
    Files.write(input, lines);
  }

  @AfterAll
  void stop() {
    if (crew != null) {
      crew.close();
    }
  }

  private static int sleptMillis(int index) {
    return 1 + index % 9;
  }

  /** The final value of item {@code index}: the sum of i*i for 0 <= i < its milliseconds. */
  private static BigInteger expected(int index) {
    long n = sleptMillis(index);
    return BigInteger.valueOf((n - 1) * n * (2 * n - 1) / 6);
  }

  @Test
  @Order(1)
  void threeStages_secondStartsBeforeFirstEnds_andAWorkerKilledMidwayLosesAndDoublesNothing()
      throws Exception {
    String id = "pipe-" + run;
    CrewLaunchers.Child coordinator = crew.startCoordinator("pipeline", submit(id));

    // Poll status until stage 2 has tasks past it while stage 1 has not finished.
    long started = System.nanoTime();
    List<String> seen = new ArrayList<>();
    Stages overlap = null;
    for (int poll = 0; poll < 60 && overlap == null; poll++) {
      assertThat(coordinator.process().isAlive())
          .as(() -> "the pipeline ended before stage 2 was seen running beside stage 1\n" + seen)
          .isTrue();
      Stages stages = stages(id);
      if (stages == null) {
        continue; // the coordinator has not stored the job yet
      }
      seen.add(stages.describe(started));
      if (stages.past(1) >= stages.total()) {
        break; // stage 1 is over: too late to see the overlap
      }
      if (stages.past(2) > 0) {
        overlap = stages;
      }
    }
    System.out.printf("PipelineIT: status polls:%n  %s%n", String.join("\n  ", seen));
    assertThat(overlap)
        .as(
            () ->
                "stage 2 past some tasks while stage 1 had not passed them all, in one status\n"
                    + String.join("\n", seen))
        .isNotNull();
    assertThat(overlap.past(1)).isLessThan(overlap.total());
    assertThat(overlap.past(2)).isPositive();

    CrewLaunchers.Worker victim = workers.get(2);
    victim.child().process().destroyForcibly();
    assertThat(victim.child().process().waitFor(10, TimeUnit.SECONDS)).isTrue();
    System.out.printf(
        "PipelineIT: killed %s at %.1f s (stage 1 at %d/%d tasks)%n",
        victim.name(), (System.nanoTime() - started) / 1e9, overlap.past(1), overlap.total());

    CrewLaunchers.Run done = crew.awaitCoordinator(coordinator, CrewLaunchers.RUN_TIMEOUT);
    assertThat(done.exitCode()).as(done::describe).isZero();
    assertEveryFinalValueOnce(JobOutput.lines(done), done.describe());
    for (CrewLaunchers.Worker survivor : workers.subList(0, 2)) {
      assertThat(survivor.child().process().isAlive()).as(survivor::describe).isTrue();
    }
  }

  @Test
  @Order(2)
  void coordinatorKilledMidPipeline_resultsFetchedLaterHaveEveryFinalValueOnce() throws Exception {
    String id = "pipe-kept-" + run;
    List<String> args = new ArrayList<>(List.of(submit(id)));
    args.add("--keep-results");
    CrewLaunchers.Child coordinator =
        crew.startCoordinator("pipeline-killed", args.toArray(String[]::new));
    await("the coordinator printing results")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                CrewLaunchers.lineCount(coordinator.out()) >= 500
                    || !coordinator.process().isAlive());
    assertThat(coordinator.process().isAlive()).as(coordinator::describe).isTrue();
    coordinator.process().destroyForcibly();
    assertThat(coordinator.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
    long printed = CrewLaunchers.lineCount(coordinator.out());
    assertThat(printed).as("killed mid-pipeline").isLessThan(ITEMS);

    // The pipeline goes on without its coordinator, in the cluster.
    await("every task past the last stage")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              Stages stages = stages(id);
              assertThat(stages).isNotNull();
              assertThat(stages.past(3)).as(stages.text()).isEqualTo(stages.total());
            });
    CrewLaunchers.Run results =
        crew.coordinator(
            "pipeline-results",
            CrewLaunchers.RUN_TIMEOUT,
            "results",
            id,
            "--connect",
            workers.get(0).name(),
            "--cluster",
            cluster);
    assertThat(results.exitCode()).as(results::describe).isZero();
    System.out.printf(
        "PipelineIT: coordinator killed after %d lines; 'results' printed %d%n",
        printed, results.stdoutLines().size());
    assertEveryFinalValueOnce(JobOutput.lines(results), results.describe());
  }

  private String[] submit(String id) {
    return new String[] {
      "submit",
      "sleep",
      "--input",
      input.toString(),
      "--lane",
      "cpu",
      "--chunk",
      Integer.toString(CHUNK),
      "--then",
      "sum-squares",
      "--then",
      "noop",
      "--then-lane",
      "io",
      "--job-id",
      id,
      "--connect",
      workers.get(0).name(),
      "--cluster",
      cluster
    };
  }

  private static void assertEveryFinalValueOnce(List<JobOutput.Line> lines, String logs) {
    Map<Integer, JobOutput.Line> byIndex = new TreeMap<>();
    for (JobOutput.Line line : lines) {
      JobOutput.Line before = byIndex.put(line.index(), line);
      assertThat(before).as(() -> "index " + line.index() + " twice: " + line.raw()).isNull();
      assertThat(line.ok()).as(() -> "failed: " + line.raw()).isTrue();
      assertThat(new BigInteger(line.result().asText()))
          .as(() -> "final value of " + line.raw())
          .isEqualTo(expected(line.index()));
    }
    assertThat(byIndex).as(() -> "every index once\n" + logs).hasSize(ITEMS);
    assertThat(byIndex.keySet().iterator().next()).isZero();
  }

  /** A status's stages line: tasks past each stage, out of the job's. */
  private record Stages(String text, long atNanos, List<Long> past, long total) {
    long past(int stage) {
      return past.get(stage - 1);
    }

    String describe(long since) {
      return String.format("%6.2f s: %s", (atNanos - since) / 1e9, text);
    }
  }

  /** The job's stages now, or null while the cluster has no such job yet. */
  private @org.jspecify.annotations.Nullable Stages stages(String id) {
    CrewLaunchers.Run status =
        crew.coordinator(
            "status-" + id,
            CrewLaunchers.RUN_TIMEOUT,
            "status",
            id,
            "--connect",
            workers.get(0).name(),
            "--cluster",
            cluster);
    long at = System.nanoTime();
    if (status.exitCode() == 2 && status.child().stderr().contains("no job '" + id + "'")) {
      return null;
    }
    assertThat(status.exitCode()).as(status::describe).isZero();
    String line =
        status.stdoutLines().stream()
            .filter(l -> l.contains("stages (tasks past each):"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no stages line\n" + status.describe()));
    Matcher m = STAGE.matcher(line);
    List<Long> past = new ArrayList<>();
    long total = -1;
    while (m.find()) {
      past.add(Long.parseLong(m.group(3)));
      total = m.group(4).equals("?") ? Long.MAX_VALUE : Long.parseLong(m.group(4));
    }
    assertThat(past).as(line).hasSize(3);
    return new Stages(line.trim(), at, past, total);
  }
}
