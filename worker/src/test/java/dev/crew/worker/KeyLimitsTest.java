package dev.crew.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.limit.SettableLimit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class KeyLimitsTest {
  private final AtomicLong clock = new AtomicLong(1_000_000);

  /** Keys whose listener heard of them, and those it heard go. */
  private final List<String> added = new CopyOnWriteArrayList<>();

  private final List<String> removed = new CopyOnWriteArrayList<>();

  private KeyLimits keys(Supplier<Limit> limits) {
    return new KeyLimits(
        limits,
        100,
        clock::get,
        new KeyLimits.Listener() {
          @Override
          public void added(String key, IntSupplier limit, IntSupplier inFlight) {
            added.add(key);
          }

          @Override
          public void removed(String key) {
            removed.add(key);
          }
        });
  }

  @Test
  void aKeyAtItsLimit_holdsBackOnlyItsOwnItems() throws Exception {
    KeyLimits keys = keys(() -> SettableLimit.startingAt(1));
    KeyLimits.Pass first = keys.enter("http-get http://a:80", "job");
    AtomicReference<KeyLimits.Pass> second = new AtomicReference<>();
    Thread waiter = enterLater(keys, "http-get http://a:80", second);
    await().until(() -> keys.waiting() == 1);

    KeyLimits.Pass other = keys.enter("http-get http://b:80", "job");
    assertThat(other.waitedNanos()).as("another host's item does not wait").isZero();
    assertThat(keys.saturated("http-get http://a:80"))
        .as("one waiting, with a limit of one")
        .isTrue();
    assertThat(keys.saturated("http-get http://b:80")).isFalse();

    first.exit(/* overloaded= */ false);
    waiter.join();
    assertThat(second.get()).isNotNull();
    assertThat(keys.waiting()).isZero();
    assertThat(keys.saturated("http-get http://a:80")).isFalse();
    assertThat(keys.views())
        .containsExactlyInAnyOrder(
            new KeyLimits.View("http-get http://a:80", 1, 1, 0),
            new KeyLimits.View("http-get http://b:80", 1, 1, 0));
  }

  /**
   * A key's limit is fed the round trip from the pass on: the item's wait for its pass is the queue
   * at this worker, not at whoever the item calls, and would read as that one slowing down.
   */
  @Test
  void pass_measuresItsWait_andFeedsItsKeyTheRoundTripFromThePassOn() throws Exception {
    List<RecordingLimit> made = new ArrayList<>();
    KeyLimits keys =
        keys(
            () -> {
              RecordingLimit limit = new RecordingLimit(1);
              made.add(limit);
              return limit;
            });
    KeyLimits.Pass first = keys.enter("sleep", "job");
    AtomicReference<KeyLimits.Pass> second = new AtomicReference<>();
    Thread waiter = enterLater(keys, "sleep", second);
    await().until(() -> keys.waiting() == 1);

    clock.addAndGet(30_000_000);
    first.exit(/* overloaded= */ false);
    waiter.join();
    clock.addAndGet(60_000_000);
    second.get().exit(/* overloaded= */ true);

    assertThat(second.get().waitedNanos()).isEqualTo(30_000_000);
    assertThat(made).hasSize(1);
    // Each round trip against the job's shortest (30 ms), in units of the reference: 60 ms reads as
    // twice it; with the wait counted, 90 ms would read as three times.
    assertThat(made.getFirst().samples)
        .extracting(RecordingLimit.Sample::rtt, RecordingLimit.Sample::dropped)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(LaneSlots.REFERENCE_NANOS, false),
            org.assertj.core.groups.Tuple.tuple(2 * LaneSlots.REFERENCE_NANOS, true));
  }

  @Test
  void abandon_countsAsOverload_andThePassIsHandedBackOnce() throws Exception {
    RecordingLimit limit = new RecordingLimit(1);
    KeyLimits keys = keys(() -> limit);
    KeyLimits.Pass pass = keys.enter("plugin", "job");

    pass.abandon();
    pass.exit(/* overloaded= */ false);

    assertThat(limit.samples).extracting(RecordingLimit.Sample::dropped).containsExactly(true);
    KeyLimits.Pass next = keys.enter("plugin", "job");
    assertThat(next.waitedNanos()).as("the abandoned item's pass is free again").isZero();
    assertThat(keys.views()).containsExactly(new KeyLimits.View("plugin", 1, 1, 0));
  }

  @Test
  void pastMaxKeys_keysWithNothingInFlightAreForgotten_busyOnesKept() throws Exception {
    KeyLimits keys = keys(() -> SettableLimit.startingAt(5));
    KeyLimits.Pass busy = keys.enter("http-get http://busy:80", "job");
    for (int i = 1; i < KeyLimits.MAX_KEYS; i++) {
      keys.enter("http-get http://idle-" + i + ":80", "job").exit(/* overloaded= */ false);
    }
    assertThat(added).hasSize(KeyLimits.MAX_KEYS);
    assertThat(removed).isEmpty();

    keys.enter("http-get http://new:80", "job");

    assertThat(removed).hasSize(KeyLimits.MAX_KEYS - 1).allMatch(key -> key.contains("idle-"));
    assertThat(keys.views())
        .extracting(KeyLimits.View::key)
        .containsExactlyInAnyOrder("http-get http://busy:80", "http-get http://new:80");
    busy.exit(/* overloaded= */ false);
  }

  @Test
  void awaitRoom_waitsWhileARoundOfTheKeysItemsWaits_andWakesWhenOneGetsItsPass() throws Exception {
    KeyLimits keys = keys(() -> SettableLimit.startingAt(1));
    KeyLimits.Pass running = keys.enter("t a", "job");
    assertThat(keys.awaitRoom("t a", Duration.ZERO)).as("one running, none waiting").isTrue();
    AtomicReference<KeyLimits.Pass> next = new AtomicReference<>();
    Thread waiter = enterLater(keys, "t a", next);
    await().until(() -> keys.waiting() == 1);
    assertThat(keys.awaitRoom("t a", Duration.ofMillis(1))).as("one waiting, limit one").isFalse();
    assertThat(keys.awaitRoom("t unknown", Duration.ZERO)).as("a key never seen").isTrue();

    Thread.ofVirtual()
        .start(
            () -> {
              await().until(keys::awaitingRoom);
              running.exit(/* overloaded= */ false);
            });
    assertThat(keys.awaitRoom("t a", Duration.ofSeconds(30)))
        .as("woken when the waiting item took its pass")
        .isTrue();
    waiter.join();
    next.get().exit(/* overloaded= */ false);
  }

  /** Starts a thread that waits for a pass of {@code key} and puts it in {@code pass}. */
  private static Thread enterLater(
      KeyLimits keys, String key, AtomicReference<KeyLimits.Pass> pass) {
    return Thread.ofVirtual()
        .start(
            () -> {
              try {
                pass.set(keys.enter(key, "job"));
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
  }
}
