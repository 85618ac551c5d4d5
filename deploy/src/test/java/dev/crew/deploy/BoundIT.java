package dev.crew.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * No single job can take a worker down: a 20,000,000-item detached job on a real {@code bin/worker}
 * with a 256 MiB heap pauses on its unread results instead of running the worker out of memory, and
 * goes on once {@code coordinator results} reads them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 4, unit = java.util.concurrent.TimeUnit.MINUTES)
class BoundIT {
  private static final Pattern DONE = Pattern.compile("items (\\d+)/\\S+ done");
  private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(30);

  private final String cluster = CrewLaunchers.randomClusterName();
  private CrewLaunchers crew;
  private CrewLaunchers.Worker worker;
  private String connect;

  @BeforeAll
  void startSmallWorker() {
    crew = new CrewLaunchers(getClass().getSimpleName());
    crew.ensureJars();
    int port = CrewLaunchers.freePortBase(1);
    connect = "127.0.0.1:" + port;
    worker =
        crew.startWorker(
            cluster, port, List.of(connect), 1, List.of(), Map.of("CREW_JAVA_OPTS", "-Xmx256m"));
  }

  @AfterAll
  void stopAll() {
    if (crew != null) {
      crew.close();
    }
  }

  @Test
  void detachedJob_pausesOnItsUnreadResults_andGoesOnWhenTheyAreRead() throws IOException {
    CrewLaunchers.Child submit =
        crew.startCoordinator(
            "submit",
            "--cluster",
            cluster,
            "--connect",
            connect,
            "submit",
            "noop",
            "--range",
            "1..20000000",
            "--detach");
    String jobId =
        await("the job id from submit --detach")
            .atMost(Duration.ofSeconds(60))
            .until(() -> submit.stdout().strip(), id -> !id.isEmpty());

    String paused =
        await("job " + jobId + " paused on its unread results")
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofSeconds(1))
            .until(() -> status(jobId), text -> text.contains("  paused: "));
    assertThat(paused)
        .containsPattern(
            "paused: [0-9.]+ MiB of unread results \\(its budget is [0-9.]+ MiB\\);"
                + " read them with: coordinator results "
                + jobId);
    assertThat(done(paused)).isBetween(1L, 19_999_999L);
    // Paused means paused: once the tasks running when it paused are recorded, nothing more is
    // done while nobody reads.
    AtomicLong last = new AtomicLong(-1);
    long doneWhenPaused =
        await("no progress while paused")
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofSeconds(2))
            .until(
                () -> {
                  long now = done(status(jobId));
                  return now == last.getAndSet(now) ? now : -1L;
                },
                d -> d >= 0);
    assertWorkerFine();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> submit.stderr().contains("coordinator: job " + jobId + " is paused: "));

    CrewLaunchers.Run read =
        crew.coordinator(
            "results",
            Duration.ofSeconds(90),
            "--cluster",
            cluster,
            "--connect",
            connect,
            "results",
            jobId);
    assertThat(read.exitCode()).as(read::describe).isZero();
    try (Stream<String> lines = Files.lines(read.child().out())) {
      assertThat(lines.count()).isGreaterThanOrEqualTo(doneWhenPaused);
    }

    await("more items done once the results were read")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> done(status(jobId)) > doneWhenPaused);
    assertWorkerFine();
    assertThat(submit.process().isAlive())
        .as("the detached submit waits to queue the rest")
        .isTrue();
  }

  private void assertWorkerFine() {
    assertThat(worker.child().process().isAlive()).as(worker::describe).isTrue();
    assertThat(worker.child().stderr()).doesNotContain("OutOfMemoryError");
  }

  private String status(String jobId) {
    CrewLaunchers.Run run =
        crew.coordinator(
            "status", STATUS_TIMEOUT, "--cluster", cluster, "--connect", connect, "status", jobId);
    assertThat(run.exitCode()).as(run::describe).isZero();
    return run.child().stdout();
  }

  private static long done(String status) {
    Matcher m = DONE.matcher(status);
    assertThat(m.find()).as(status).isTrue();
    return Long.parseLong(m.group(1));
  }
}
