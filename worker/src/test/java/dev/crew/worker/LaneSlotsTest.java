package dev.crew.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.limit.SettableLimit;
import dev.crew.common.TaskChunk;
import dev.crew.common.tasks.HttpGetTask;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LaneSlotsTest {
  private final AtomicLong clock = new AtomicLong(1_000_000);

  private LaneSlots slots(Limit limit, int ceiling) {
    return new LaneSlots(limit, ceiling, /* adaptive= */ true, clock::get);
  }

  @Test
  void growingLimit_letsMoreItemsIn() {
    SettableLimit limit = SettableLimit.startingAt(2);
    LaneSlots slots = slots(limit, 100);

    assertThat(slots.tryAcquireUpTo(5)).isEqualTo(2);
    assertThat(slots.tryAcquireUpTo(5)).isZero();

    limit.setLimit(6);

    assertThat(slots.size()).isEqualTo(6);
    assertThat(slots.tryAcquireUpTo(5)).isEqualTo(4);
    assertThat(slots.taken()).isEqualTo(6);
  }

  @Test
  void shrinkingLimit_startsNothingUntilInFlightDropsUnderIt() {
    SettableLimit limit = SettableLimit.startingAt(4);
    LaneSlots slots = slots(limit, 100);
    assertThat(slots.tryAcquireUpTo(4)).isEqualTo(4);

    limit.setLimit(2);

    assertThat(slots.available()).isZero();
    slots.release(1);
    assertThat(slots.tryAcquireUpTo(1)).as("3 in flight, limit 2").isZero();
    slots.release(1);
    assertThat(slots.tryAcquireUpTo(1)).as("2 in flight, limit 2").isZero();
    slots.release(1);
    assertThat(slots.tryAcquireUpTo(5)).as("1 in flight, limit 2").isEqualTo(1);
  }

  @Test
  void limitAboveCeiling_isHeldAtTheCeiling() {
    SettableLimit limit = SettableLimit.startingAt(50_000);
    LaneSlots slots = slots(limit, 300);

    assertThat(slots.size()).isEqualTo(300);
    assertThat(slots.tryAcquireUpTo(1_000)).isEqualTo(300);

    limit.setLimit(0);
    assertThat(slots.size()).as("never under one slot").isEqualTo(1);
  }

  @Test
  void finished_feedsRoundTripInFlightAndDropToTheLimitAndFreesTheSlot() {
    RecordingLimit limit = new RecordingLimit(10);
    LaneSlots slots = slots(limit, 100);
    slots.tryAcquireUpTo(3);
    long started = clock.get();
    clock.addAndGet(50_000_000);

    slots.finished("job", started, /* overloaded= */ true);
    slots.finished("job", started, /* overloaded= */ false);

    long fedStart = clock.get() - LaneSlots.REFERENCE_NANOS;
    assertThat(limit.samples)
        .as("each fed as a run that ended now")
        .containsExactly(
            new RecordingLimit.Sample(fedStart, LaneSlots.REFERENCE_NANOS, 3, true),
            new RecordingLimit.Sample(fedStart, LaneSlots.REFERENCE_NANOS, 2, false));
    assertThat(slots.taken()).isEqualTo(1);
  }

  @Test
  void roundTrips_areFedAsMultiplesOfTheirOwnJobsShortest() {
    RecordingLimit limit = new RecordingLimit(10);
    LaneSlots slots = slots(limit, 100);
    slots.tryAcquireUpTo(4);

    finishAfter(slots, "fast", 5_000_000);
    finishAfter(slots, "slow", 500_000_000);
    finishAfter(slots, "fast", 10_000_000);
    finishAfter(slots, "slow", 250_000_000);

    assertThat(limit.samples)
        .extracting(RecordingLimit.Sample::rtt)
        .as("each job's first item is its shortest so far; then twice it; then a new shortest")
        .containsExactly(
            LaneSlots.REFERENCE_NANOS,
            LaneSlots.REFERENCE_NANOS,
            2 * LaneSlots.REFERENCE_NANOS,
            LaneSlots.REFERENCE_NANOS);
  }

  private void finishAfter(LaneSlots slots, String jobId, long rttNanos) {
    long started = clock.get();
    clock.addAndGet(rttNanos);
    slots.finished(jobId, started, /* overloaded= */ false);
  }

  @Test
  void fixedSlots_feedNothing() {
    RecordingLimit limit = new RecordingLimit(10);
    LaneSlots slots = new LaneSlots(limit, 10, /* adaptive= */ false, clock::get);
    slots.tryAcquireUpTo(1);

    finishAfter(slots, "job", 5_000_000);

    assertThat(limit.samples).isEmpty();
    assertThat(slots.taken()).isZero();
  }

  /**
   * The auto limit after a job of fast items does not collapse on a job of slow ones (before, 2,000
   * sleeps of 500 ms after GETs of 5 ms ran 5 at a time), and still backs off when the slow job's
   * own round trips climb.
   */
  @Test
  void autoLimit_keepsItsSizeForASlowerJob_andBacksOffWhenThatJobQueues() {
    LaneSlots slots =
        slots(AdaptiveLimit.create(Worker.Settings.IO_CEILING), Worker.Settings.IO_CEILING);

    fullRounds(slots, "gets", 5_000_000, 300);
    int afterFast = slots.size();
    fullRounds(slots, "sleeps", 500_000_000, 40);
    int afterSlow = slots.size();
    fullRounds(slots, "sleeps", 1_500_000_000, 40);
    int afterQueue = slots.size();

    assertThat(afterFast).as("grew on the fast job").isGreaterThan(AdaptiveLimit.INITIAL);
    assertThat(afterSlow)
        .as("after the slow job, from %d", afterFast)
        .isGreaterThanOrEqualTo(afterFast);
    assertThat(afterQueue)
        .as("after the slow job's items took 3 times their shortest, from %d", afterSlow)
        .isLessThan(afterSlow);
  }

  /** {@code rounds} times: takes every free slot, lets {@code rttNanos} pass, ends them all. */
  private void fullRounds(LaneSlots slots, String jobId, long rttNanos, int rounds) {
    for (int round = 0; round < rounds; round++) {
      int took = slots.tryAcquireUpTo(Integer.MAX_VALUE);
      long started = clock.get();
      clock.addAndGet(rttNanos);
      for (int i = 0; i < took; i++) {
        slots.finished(jobId, started, /* overloaded= */ false);
      }
    }
  }

  @Test
  void acquire_waitsForTheLimitToGrow() throws Exception {
    RecordingLimit limit = new RecordingLimit(1);
    LaneSlots slots = slots(limit, 100);
    slots.acquire();
    Thread waiter = Thread.ofVirtual().start(acquireQuietly(slots));

    org.awaitility.Awaitility.await().until(() -> waiter.getState() == Thread.State.WAITING);
    assertThat(slots.taken()).isEqualTo(1);

    limit.set(2);
    waiter.join();
    assertThat(slots.taken()).isEqualTo(2);
  }

  private Runnable acquireQuietly(LaneSlots slots) {
    return () -> {
      try {
        slots.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
  }

  @Test
  void overloadSigns_are429And503AndTimeouts() {
    assertThat(ChunkRun.overloadSign(new HttpGetTask.Fetch(429, 0, 1))).isTrue();
    assertThat(ChunkRun.overloadSign(new HttpGetTask.Fetch(503, 0, 1))).isTrue();
    assertThat(ChunkRun.overloadSign(new HttpGetTask.Fetch(200, 10, 1))).isFalse();
    assertThat(ChunkRun.overloadSign(new HttpGetTask.Fetch(500, 10, 1))).isFalse();
    assertThat(ChunkRun.overloadSign("503")).isFalse();
    assertThat(ChunkRun.timeoutSign(new HttpTimeoutException("timed out"))).isTrue();
    assertThat(ChunkRun.timeoutSign(new RuntimeException(new java.net.SocketTimeoutException())))
        .isTrue();
    assertThat(ChunkRun.timeoutSign(new IOException("connection refused"))).isFalse();
  }

  @Test
  void runOne_reportsAnItemAnsweredWith503AsOverloadedAndA200AsNot() throws Exception {
    TaskChunk chunk = TaskChunk.ofItems("job", 0, 0, new String[] {"busy", "fine", "slow"});
    ChunkRun run =
        new ChunkRun(
            chunk,
            new Binding.Run(
                item ->
                    switch (item) {
                      case "busy" -> new HttpGetTask.Fetch(503, 0, 1);
                      case "slow" -> throw new HttpTimeoutException("timed out after 10 ms");
                      default -> new HttpGetTask.Fetch(200, 5, 1);
                    }),
            new Fakes.CollectingSink(),
            "w1",
            clock::get);
    List<ChunkRun.Sign> ends = new CopyOnWriteArrayList<>();

    run.runOne(0, ends::add);
    run.runOne(1, ends::add);
    run.runOne(2, ends::add);

    assertThat(ends)
        .containsExactly(
            ChunkRun.Sign.OVERLOADED, ChunkRun.Sign.ANSWERED, ChunkRun.Sign.OVERLOADED);
  }
}
