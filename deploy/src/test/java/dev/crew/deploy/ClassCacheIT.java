package dev.crew.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/coordinator}'s class cache, as a user's first runs meet it: on JDK 25+ the first run
 * starts recording the JVM's ahead-of-time cache in the background and is not held up by it, and
 * later runs map it; on an older JDK the first run leaves a CDS archive. Either way nothing of it
 * reaches the command's own output.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class ClassCacheIT {
  private CrewLaunchers crew;

  @BeforeAll
  void buildJarsIfStale() {
    crew = new CrewLaunchers(getClass().getSimpleName());
    crew.ensureJars();
  }

  @AfterAll
  void close() {
    if (crew != null) {
      crew.close();
    }
  }

  @Test
  void theFirstRunLeavesACache_thatTheNextRunMaps(@TempDir Path cacheDir) {
    Map<String, String> env = Map.of("CREW_CACHE_DIR", cacheDir.toString());

    CrewLaunchers.Run first = crew.coordinator("first", Duration.ofSeconds(60), env, "--version");

    assertThat(first.exitCode()).isZero();
    assertThat(first.stdoutLines()).containsExactly("crew coordinator 0.1.0");
    assertThat(first.programStderrLines()).isEmpty();
    if (Runtime.version().feature() < 25) {
      // The JVM writes the dynamic archive as the run exits.
      assertThat(files(cacheDir, ".jsa")).hasSize(1);
      return;
    }
    // The training run (commands against an in-process worker) goes on after the first run ended;
    // it renames its cache into place when complete and removes its lock.
    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> files(cacheDir, ".aot").size() == 1 && files(cacheDir, ".lock").isEmpty());
    Path cache = files(cacheDir, ".aot").getFirst();
    assertThat(files(cacheDir, ".tmp")).isEmpty();
    assertThat(files(cacheDir, ".failed")).isEmpty();
    assertThat(cache.toFile().length())
        .isGreaterThan(20_000_000L); // a trained cache, not --version's

    Path log = cacheDir.resolve("aot.log");
    CrewLaunchers.Run next =
        crew.coordinator(
            "next",
            Duration.ofSeconds(60),
            Map.of(
                "CREW_CACHE_DIR",
                cacheDir.toString(),
                "CREW_JAVA_OPTS",
                "-Xlog:aot=info:file=" + log),
            "--version");

    assertThat(next.exitCode()).isZero();
    assertThat(next.stdoutLines()).containsExactly("crew coordinator 0.1.0");
    assertThat(next.programStderrLines()).isEmpty();
    assertThat(lines(log)).anyMatch(l -> l.contains("Opened AOT cache " + cache));
    assertThat(lines(log)).anyMatch(l -> l.contains("Mapped static"));
    assertThat(files(cacheDir, ".lock")).as("no second training run").isEmpty();
  }

  @Test
  void aWorkersFirstRunTrainsACache_thatTheNextWorkerMaps_andRunsJobsWith(@TempDir Path cacheDir) {
    Map<String, String> env = Map.of("CREW_CACHE_DIR", cacheDir.toString());

    CrewLaunchers.Run first = crew.worker("first", Duration.ofSeconds(60), env, "--version");

    assertThat(first.exitCode()).isZero();
    assertThat(first.stdoutLines()).containsExactly("crew worker 0.1.0");
    assertThat(first.programStderrLines()).isEmpty();
    if (Runtime.version().feature() < 25) {
      // A worker runs for long: no dynamic archive written at its exit before JDK 25.
      assertThat(files(cacheDir, "")).isEmpty();
      return;
    }
    // The training run (jobs from bin/coordinator on a worker of its own) goes on after the first
    // run ended; its coordinators record the coordinator's cache in the same folder.
    await()
        .atMost(Duration.ofMinutes(4))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> named(cacheDir, "worker-", ".aot").size() == 1 && !trainingUnder(cacheDir));
    Path cache = named(cacheDir, "worker-", ".aot").getFirst();
    assertThat(files(cacheDir, ".tmp")).isEmpty();
    assertThat(files(cacheDir, ".failed")).as("a training run that failed").isEmpty();
    assertThat(cache.toFile().length()).isGreaterThan(40_000_000L); // trained, not --version's

    Path log = cacheDir.resolve("worker-aot.log");
    int port = CrewLaunchers.freePortBase(1);
    String cluster = "crew-cache-" + port;
    CrewLaunchers.Worker worker =
        crew.startWorker(
            cluster,
            port,
            List.of("127.0.0.1:" + port),
            1,
            List.of(),
            Map.of(
                "CREW_CACHE_DIR",
                cacheDir.toString(),
                "CREW_JAVA_OPTS",
                "-Xlog:aot=info:file=" + log));
    CrewLaunchers.Run job =
        crew.coordinator(
            "job",
            Duration.ofSeconds(90),
            env,
            "--connect",
            worker.name(),
            "--cluster",
            cluster,
            "submit",
            "noop",
            "--range",
            "1..2000",
            "--chunk",
            "1",
            "--reduce",
            "count");

    assertThat(job.exitCode()).as(job::describe).isZero();
    assertThat(job.stdoutLines()).containsExactly("2000");
    assertThat(lines(log)).anyMatch(l -> l.contains("Opened AOT cache " + cache));
    assertThat(lines(log)).anyMatch(l -> l.contains("Mapped static"));
    assertThat(worker.child().stderr()).doesNotContain("AOT", "aot");
    assertThat(files(cacheDir, ".lock")).as("no second training run").isEmpty();
  }

  private static boolean trainingUnder(Path dir) {
    try {
      return CrewLaunchers.anyTrainingUnder(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Path> named(Path dir, String prefix, String suffix) {
    return files(dir, suffix).stream()
        .filter(f -> f.getFileName().toString().startsWith(prefix))
        .toList();
  }

  private static List<Path> files(Path dir, String suffix) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(suffix)).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
