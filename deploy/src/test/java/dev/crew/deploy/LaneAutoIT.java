package dev.crew.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --lane auto} through the real {@code bin/coordinator run} (its worker in the same
 * process): the summary line says the lane chosen from the first items' measurements.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LaneAutoIT {
  private CrewLaunchers crew;

  @TempDir Path dir;

  @BeforeAll
  void build() {
    crew = new CrewLaunchers(getClass().getSimpleName());
    crew.ensureJars();
  }

  @AfterAll
  void close() {
    if (crew != null) {
      crew.close();
    }
  }

  private void assertChose(CrewLaunchers.Run run, String lane) {
    assertThat(run.exitCode()).as(run.child()::describe).isZero();
    assertThat(run.programStderrLines())
        .as(run.child()::describe)
        .anySatisfy(
            line ->
                assertThat(line)
                    .containsPattern(
                        ": 8 ok, 0 failed in .*; lane auto: "
                            + lane
                            + " \\(items \\d+% on CPU, 2 measured\\)$"));
  }

  @Test
  void fib_runsOnTheCpuLane() {
    assertChose(
        crew.coordinator(
            "fib", CrewLaunchers.RUN_TIMEOUT, "run", "fib", "--range", "30..37", "--lane", "auto"),
        "cpu");
  }

  @Test
  void sleep_runsOnTheIoLane() throws Exception {
    Path input = Files.writeString(dir.resolve("sleep.txt"), "200\n".repeat(8));

    assertChose(
        crew.coordinator(
            "sleep",
            CrewLaunchers.RUN_TIMEOUT,
            "run",
            "sleep",
            "--input",
            input.toString(),
            "--lane",
            "auto"),
        "io");
  }
}
