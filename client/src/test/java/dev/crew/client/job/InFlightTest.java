package dev.crew.client.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The windows a run keeps on its tasks in flight, and handing each task's result on once. */
class InFlightTest {

  @Test
  void admit_fullTaskWindow_waitsForAHandOverAndFlushesFirst() throws Exception {
    InFlight inFlight = new InFlight(2, 100);
    AtomicInteger flushes = new AtomicInteger();
    inFlight.admit(0, 1, flushes::incrementAndGet);
    inFlight.admit(1, 1, flushes::incrementAndGet);
    assertThat(flushes.get()).isZero();
    CountDownLatch admitted = new CountDownLatch(1);
    Thread producer =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    inFlight.admit(2, 1, flushes::incrementAndGet);
                    admitted.countDown();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });

    await().atMost(Duration.ofSeconds(5)).until(() -> flushes.get() == 1);
    assertThat(admitted.getCount()).as("still waiting for room").isEqualTo(1);
    assertThat(inFlight.handOver(0)).isEqualTo(1);

    await().atMost(Duration.ofSeconds(5)).until(() -> admitted.getCount() == 0);
    producer.join();
    assertThat(inFlight.awaited()).containsExactly(1L, 2L);
  }

  @Test
  void widenTo_letsMoreTasksInWithoutAHandOver_andNeverShrinks() throws Exception {
    InFlight inFlight = new InFlight(2, 100);
    inFlight.admit(0, 1, () -> {});
    inFlight.admit(1, 1, () -> {});

    inFlight.widenTo(4);
    inFlight.widenTo(3);
    inFlight.admit(2, 1, () -> fail("room was made"));
    inFlight.admit(3, 1, () -> fail("room was made"));

    AtomicInteger waited = new AtomicInteger();
    Thread fifth = Thread.ofVirtual().start(() -> admit(inFlight, 4, waited));
    await().atMost(Duration.ofSeconds(5)).until(() -> waited.get() == 1);
    assertThat(fifth.isAlive()).as("a window of 4, not 5").isTrue();
    inFlight.handOver(0);
    fifth.join(Duration.ofSeconds(5));
    assertThat(fifth.isAlive()).isFalse();
  }

  private static void admit(InFlight inFlight, long seq, AtomicInteger waited) {
    try {
      inFlight.admit(seq, 1, waited::incrementAndGet);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void handOver_twice_secondIsRefused() throws Exception {
    InFlight inFlight = new InFlight(10, 100);
    inFlight.admit(0, 5, () -> {});

    assertThat(inFlight.handOver(0)).isEqualTo(5);
    assertThat(inFlight.handOver(0)).isEqualTo(-1);
    assertThat(inFlight.handOver(7)).as("never admitted").isEqualTo(-1);
  }

  @Test
  void awaitEarlier_tasksOfAnEarlierSubmissionTakeNoRoom() throws Exception {
    InFlight inFlight = new InFlight(1, 100);
    inFlight.awaitEarlier(3);

    inFlight.admit(
        3,
        1,
        () -> {
          throw new AssertionError("room was taken by earlier tasks");
        });

    assertThat(inFlight.awaited()).containsExactly(0L, 1L, 2L, 3L);
    assertThat(inFlight.handOver(1)).isZero();
  }

  @Test
  void handOverOldest_freesTheOldestTasksRoom() throws Exception {
    InFlight inFlight = new InFlight(2, 100);
    inFlight.admit(0, 1, () -> {});
    inFlight.admit(1, 1, () -> {});

    inFlight.handOverOldest(1);

    assertThat(inFlight.awaited()).containsExactly(1L);
    inFlight.admit(
        2,
        1,
        () -> {
          throw new AssertionError("no room was freed");
        });
    inFlight.handOverOldest(5);
    assertThat(inFlight.awaited()).isEmpty();
  }

  @Test
  void idleBackoff_doublesToItsCapAndStartsOverOnReset() {
    IdleBackoff backoff = new IdleBackoff(Duration.ofNanos(500_000), Duration.ofMillis(3));

    assertThat(backoff.nextNanos()).isEqualTo(500_000);
    assertThat(backoff.nextNanos()).isEqualTo(1_000_000);
    assertThat(backoff.nextNanos()).isEqualTo(2_000_000);
    assertThat(backoff.nextNanos()).isEqualTo(3_000_000);
    assertThat(backoff.nextNanos()).isEqualTo(3_000_000);
    backoff.reset();
    assertThat(backoff.nextNanos()).isEqualTo(500_000);
  }
}
