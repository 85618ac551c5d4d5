package dev.crew.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.limit.SettableLimit;
import dev.crew.common.TaskChunk;
import dev.crew.common.tasks.HttpGetTask;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class LaneSlotsTest {
  private final AtomicLong clock = new AtomicLong(1_000_000);

  /** A limit moved by hand that records every sample it is fed. */
  private static final class RecordingLimit implements Limit {
    record Sample(long start, long rtt, int inFlight, boolean dropped) {}

    final List<Sample> samples = new CopyOnWriteArrayList<>();
    final List<Consumer<Integer>> listeners = new ArrayList<>();
    int limit;

    RecordingLimit(int limit) {
      this.limit = limit;
    }

    void set(int next) {
      limit = next;
      listeners.forEach(listener -> listener.accept(next));
    }

    @Override
    public int getLimit() {
      return limit;
    }

    @Override
    public void notifyOnChange(Consumer<Integer> consumer) {
      listeners.add(consumer);
    }

    @Override
    public void onSample(long startTime, long rtt, int inflight, boolean didDrop) {
      samples.add(new Sample(startTime, rtt, inflight, didDrop));
    }
  }

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

    slots.finished(started, /* overloaded= */ true);
    slots.finished(started, /* overloaded= */ false);

    assertThat(limit.samples)
        .containsExactly(
            new RecordingLimit.Sample(started, 50_000_000, 3, true),
            new RecordingLimit.Sample(started, 50_000_000, 2, false));
    assertThat(slots.taken()).isEqualTo(1);
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
    List<Boolean> ends = new CopyOnWriteArrayList<>();

    run.runOne(0, ends::add);
    run.runOne(1, ends::add);
    run.runOne(2, ends::add);

    assertThat(ends).containsExactly(true, false, true);
  }
}
