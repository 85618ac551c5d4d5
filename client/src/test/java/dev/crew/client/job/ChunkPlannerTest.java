package dev.crew.client.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crew.common.Lane;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ChunkPlannerTest {

  @Test
  void ioLaneAuto_anEighthOfAWorkersSlotsPerTask_cappedByEachWorkersShare()
      throws InterruptedException {
    // One worker with 1,000 items in flight: 125 per task, whatever the items cost.
    assertThat(ChunkPlanner.parse("auto", Lane.IO, 1, 1_000, 20_000, Duration.ZERO).nextSize())
        .isEqualTo(125);
    // Two workers, 2,000 items: at most a quarter of each worker's 1,000.
    assertThat(ChunkPlanner.parse("auto", Lane.IO, 2, 2_000, 2_000, Duration.ZERO).nextSize())
        .isEqualTo(125);
    assertThat(ChunkPlanner.parse("auto", Lane.IO, 4, 4_000, 400, Duration.ZERO).nextSize())
        .isEqualTo(25);
    // A tiny input still gets one-item tasks; an explicit size is kept on the I/O lane too.
    assertThat(ChunkPlanner.parse("auto", Lane.IO, 3, 3_000, 5, Duration.ZERO).nextSize())
        .isEqualTo(1);
    assertThat(ChunkPlanner.parse("7", Lane.IO, 1, 1_000, 20_000, Duration.ZERO).nextSize())
        .isEqualTo(7);
    // The CPU lane still probes with one-item tasks first.
    assertThat(ChunkPlanner.parse("auto", Lane.CPU, 1, 2, 20_000, Duration.ZERO).nextSize())
        .isEqualTo(1);
  }

  @Test
  void fixed_alwaysSameSize() throws InterruptedException {
    ChunkPlanner planner = ChunkPlanner.fixed(7);
    planner.record(7, 1_000_000_000L);
    assertThat(planner.nextSize()).isEqualTo(7);
    assertThat(planner.probing()).isFalse();
  }

  @Test
  void fixed_zeroRefused() {
    assertThatThrownBy(() -> ChunkPlanner.fixed(0))
        .hasMessageContaining("--chunk must be at least 1");
  }

  @Test
  void parse_garbageRefused() {
    assertThatThrownBy(() -> ChunkPlanner.parse("lots", 2, -1, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad --chunk 'lots'");
  }

  @Test
  void auto_probesWithSingleItemsFirst() throws InterruptedException {
    ChunkPlanner planner = ChunkPlanner.auto(4, -1, Duration.ZERO);
    for (int i = 0; i < 4; i++) {
      assertThat(planner.nextSize()).isEqualTo(1);
    }
    assertThat(planner.probing()).isTrue();
    // No measurement and no wait allowed: it goes on with single items rather than guessing.
    assertThat(planner.nextSize()).isEqualTo(1);
  }

  @Test
  void auto_sizesTasksToTheTargetFromMeasuredItemTime() throws InterruptedException {
    ChunkPlanner planner = ChunkPlanner.auto(2, -1, Duration.ZERO);
    planner.record(1, 100_000); // 0.1 ms per item
    long expected = ChunkPlanner.TARGET.toNanos() / 100_000;
    assertThat(planner.nextSize()).isEqualTo((int) expected);
    assertThat(planner.probing()).isFalse();
  }

  @Test
  void auto_slowItemsGetOneItemTasks() throws InterruptedException {
    ChunkPlanner planner = ChunkPlanner.auto(2, -1, Duration.ZERO);
    planner.record(
        1, ChunkPlanner.TARGET.multipliedBy(3).toNanos()); // items longer than a task should take
    assertThat(planner.nextSize()).isEqualTo(1);
  }

  @Test
  void auto_freeItemsAreCappedSoATaskStaysSmall() throws InterruptedException {
    ChunkPlanner planner = ChunkPlanner.auto(2, -1, Duration.ZERO);
    planner.record(1_000, 0);
    assertThat(planner.nextSize()).isEqualTo(ChunkPlanner.MAX_AUTO);
  }

  @Test
  void auto_knownTotalKeepsEverySlotBusyToTheEnd() throws InterruptedException {
    // 1,000 items over 5 slots: a task never takes more than a quarter of one slot's share (50
    // items).
    ChunkPlanner planner = ChunkPlanner.auto(5, 1_000, Duration.ZERO);
    planner.record(1_000, 0);
    assertThat(planner.nextSize()).isEqualTo(50);
  }

  @Test
  void auto_followsItemsThatGetSlower() throws InterruptedException {
    ChunkPlanner planner = ChunkPlanner.auto(2, -1, Duration.ZERO);
    planner.record(1_000, 1_000_000); // 1 µs per item
    int fast = planner.nextSize();
    for (int i = 0; i < 50; i++) {
      planner.record(10, 10 * 1_000_000L); // now 1 ms per item
    }
    int slow = planner.nextSize();
    assertThat(slow).isLessThan(fast / 10);
  }

  @Test
  void auto_waitsForTheFirstMeasurementAfterProbing() throws Exception {
    ChunkPlanner planner = ChunkPlanner.auto(2, -1, Duration.ofSeconds(30));
    planner.nextSize();
    planner.nextSize();
    AtomicInteger size = new AtomicInteger();
    CountDownLatch asked = new CountDownLatch(1);
    Thread producer =
        Thread.ofPlatform()
            .start(
                () -> {
                  asked.countDown();
                  try {
                    size.set(planner.nextSize());
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
    asked.await();
    planner.record(1, 1_000_000); // 1 ms per item: a task of TARGET / 1 ms items
    producer.join(10_000);
    assertThat(producer.isAlive()).isFalse();
    assertThat(size.get()).isEqualTo((int) ChunkPlanner.TARGET.toMillis());
  }
}
