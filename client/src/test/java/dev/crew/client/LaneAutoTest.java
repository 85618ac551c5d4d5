package dev.crew.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crew.common.Lane;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * A task that declares no lane, on a real embedded worker: its jobs measure their first items and
 * choose the lane from what they measured.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LaneAutoTest {
  private CrewClient crew;

  @BeforeAll
  void start() {
    crew = CrewClient.embedded(2, 50);
  }

  @AfterAll
  void stop() {
    if (crew != null) {
      crew.close();
    }
  }

  private JobSummary run(String item, int count) {
    JobHandle job =
        crew.submit(
            JobSpec.task("measured").items(Stream.generate(() -> item).limit(count)).build());
    JobSummary summary = job.summary().join();
    assertThat(summary.ok()).isEqualTo(count);
    return summary;
  }

  @Test
  void laneless_computingItemsGoToTheCpuLane() {
    assertThat(run("burn:30", 8).chosenLane()).contains(Lane.CPU);
  }

  @Test
  void laneless_waitingItemsGoToTheIoLane() {
    assertThat(run("wait:100", 8).chosenLane()).contains(Lane.IO);
  }

  @Test
  void laneless_allItemsInTheProbes_stillChooses() {
    assertThat(run("wait:100", 1).chosenLane()).contains(Lane.IO);
  }

  @Test
  void laneless_submittedAgainWithItsId_staysOnTheLaneItsProbesChose() {
    JobSpec spec =
        JobSpec.task("measured")
            .items(List.of("wait:100", "wait:100", "wait:100", "wait:100"))
            .id("measured-again-" + System.nanoTime())
            .build();
    assertThat(crew.submit(spec).summary().join().chosenLane()).contains(Lane.IO);

    JobSummary again = crew.submit(spec).summary().join();

    assertThat(again.ok()).isEqualTo(4);
    assertThat(again.chosenLane()).contains(Lane.IO);
  }

  @Test
  void declaredLane_isNotMeasured() {
    JobSummary summary =
        crew.submit(JobSpec.task("sleep").items(Stream.of("1", "2")).build()).summary().join();

    assertThat(summary.chosenLane()).isEmpty();
  }

  @Test
  void laneless_isAdvertisedWithoutALane() {
    assertThat(crew.workers().declaresLane("measured")).isFalse();
    assertThat(crew.workers().declaresLane("fib")).isTrue();
  }
}
