package dev.crew.client.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crew.common.Lane;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LaneProbeTest {
  private final LaneProbe probe = new LaneProbe(ChunkPlanner.fixed(7));

  private static TaskResult result(long seq, long wallNanos, long cpuNanos) {
    return TaskResult.of(
            TaskChunk.ofRange("job", seq, seq, seq, 1),
            "w1",
            wallNanos,
            new String[] {"1"},
            new String[] {null})
        .withCpuNanos(cpuNanos);
  }

  @Test
  void probes_areTheFirstTwoTasks() {
    assertThat(probe.nextIsProbe()).isTrue();
    assertThat(probe.nextIsProbe()).isTrue();
    assertThat(probe.nextIsProbe()).isFalse();
  }

  @Test
  void awaitChoice_waitsForEveryProbeIssued() throws Exception {
    probe.nextIsProbe();
    probe.nextIsProbe();
    probe.record(result(0, 30_000_000, 100_000));
    CountDownLatch waiting = new CountDownLatch(1);
    CompletableFuture<LaneChoice> choice =
        CompletableFuture.supplyAsync(
            () -> {
              waiting.countDown();
              try {
                return probe.awaitChoice();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
              }
            });
    waiting.await();
    assertThat(probe.chosen()).isFalse();

    probe.record(result(1, 30_000_000, 200_000));

    assertThat(choice.get(10, TimeUnit.SECONDS).lane()).isEqualTo(Lane.IO);
    assertThat(probe.chosen()).isTrue();
    assertThat(probe.nextIsProbe()).isFalse();
  }

  @Test
  void record_countsEachProbeOnceAndNoLaterTask() throws InterruptedException {
    probe.nextIsProbe();
    probe.nextIsProbe();
    probe.record(result(0, 10_000_000, 9_000_000));
    probe.record(result(0, 10_000_000, 9_000_000)); // read twice
    probe.record(result(5, 10_000_000, 0)); // not a probe
    probe.record(result(1, 10_000_000, 8_000_000));

    LaneChoice choice = probe.awaitChoice();

    assertThat(choice.items()).isEqualTo(2);
    assertThat(choice.cpuShare()).isEqualTo(0.85);
    assertThat(choice.lane()).isEqualTo(Lane.CPU);
  }

  @Test
  void awaitChoice_withFewerProbesThanUsual_choosesFromThoseIssued() throws InterruptedException {
    probe.nextIsProbe();
    probe.record(result(0, 10_000_000, 0));

    assertThat(probe.awaitChoice().lane()).isEqualTo(Lane.IO);
  }

  @Test
  void plannerFor_theIoLaneCutsAsThatLaneDoes() {
    ChunkPlanner cpu = ChunkPlanner.fixed(3);

    assertThat(probe.plannerFor(Lane.CPU, cpu)).isSameAs(cpu);
    assertThat(probe.plannerFor(Lane.IO, cpu)).isNotSameAs(cpu);
  }

  @Test
  void chooses_whenAskedOrForATaskThatDeclaresNoLane() {
    Optional<Optional<Lane>> unknownHere = Optional.empty();
    Optional<Optional<Lane>> laneless = Optional.of(Optional.empty());
    Optional<Optional<Lane>> cpu = Optional.of(Optional.of(Lane.CPU));

    assertThat(LaneProbe.chooses(true, false, cpu, true)).isTrue();
    assertThat(LaneProbe.chooses(false, true, laneless, false)).isFalse();
    assertThat(LaneProbe.chooses(false, false, laneless, true)).isTrue();
    assertThat(LaneProbe.chooses(false, false, cpu, false)).isFalse();
    assertThat(LaneProbe.chooses(false, false, unknownHere, false)).isTrue();
    assertThat(LaneProbe.chooses(false, false, unknownHere, true)).isFalse();
  }
}
