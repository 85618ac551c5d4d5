package dev.crew.worker;

import com.netflix.concurrency.limits.Limit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The limits an adaptive I/O lane keeps per key, under its own: one per task, and for {@code
 * http-get} one per target host ({@link dev.crew.common.ItemFunction#limitKey}). An item holds its
 * lane slot, waits for a pass of its key, runs, and hands the pass back with its round trip (from
 * the pass on) and whether it showed overload; each key's limit adapts to its own items alone
 * ({@link AdaptiveLimit#create}). So a host that serves 50 at once settles its own limit near 50,
 * and its queue does not lower the limits of other hosts or tasks.
 *
 * <p>The lane's own limit ({@link AdaptiveLimit#forLane}) is fed round trips without the wait for a
 * pass, and items waiting for one do not count as in flight: a limit that is not used up does not
 * grow, so the lane holds about as many items waiting as running. A task whose key already has as
 * many items waiting as its limit lets run is not started: the lane's loop waits a moment for room
 * ({@link #awaitRoom}), then hands it back to the cluster, where a worker with room takes it, and
 * the lane's slots go to other jobs.
 *
 * <p>Keys are forgotten when more than {@link #MAX_KEYS} are known and they have nothing in flight;
 * a key seen again starts afresh.
 */
final class KeyLimits {
  /** Keys kept; past this many, those with nothing in flight are forgotten. */
  static final int MAX_KEYS = 256;

  /** Hears of keys coming and going, for metrics. */
  interface Listener {
    /** A key is new: {@code limit} reads its limit now, {@code inFlight} its items in flight. */
    void added(String key, IntSupplier limit, IntSupplier inFlight);

    void removed(String key);

    Listener NONE =
        new Listener() {
          @Override
          public void added(String key, IntSupplier limit, IntSupplier inFlight) {}

          @Override
          public void removed(String key) {}
        };
  }

  private final Supplier<Limit> limits;
  private final int ceiling;
  private final LongSupplier nanoTime;
  private final Listener listener;
  private final ConcurrentHashMap<String, Key> byKey = new ConcurrentHashMap<>();
  private final AtomicInteger running = new AtomicInteger();
  private final ReentrantLock roomLock = new ReentrantLock();
  private final Condition room = roomLock.newCondition();
  private volatile boolean awaitingRoom;

  /** One key's limit, and its items waiting for a pass. */
  private record Key(LaneSlots slots, AtomicInteger waiting) {}

  /**
   * @param limits a fresh limit for a new key
   * @param ceiling most items of one key in flight, whatever its limit says
   * @param nanoTime the clock round trips and waits are measured with
   */
  KeyLimits(Supplier<Limit> limits, int ceiling, LongSupplier nanoTime, Listener listener) {
    this.limits = limits;
    this.ceiling = ceiling;
    this.nanoTime = nanoTime;
    this.listener = listener;
  }

  /** One item's hold on its key: handed back once, by {@link #exit} or {@link #abandon}. */
  static final class Pass {
    private final LaneSlots slots;
    private final AtomicInteger running;
    private final String jobId;
    private final long since;
    private final long waitedNanos;
    private final AtomicBoolean open = new AtomicBoolean(true);

    private Pass(
        LaneSlots slots, AtomicInteger running, String jobId, long since, long waitedNanos) {
      this.slots = slots;
      this.running = running;
      this.jobId = jobId;
      this.since = since;
      this.waitedNanos = waitedNanos;
    }

    /** How long the item waited for this pass. */
    long waitedNanos() {
      return waitedNanos;
    }

    /** The item ran: its round trip since the pass and its overload sign go to the key's limit. */
    void exit(boolean overloaded) {
      if (open.compareAndSet(true, false)) {
        running.decrementAndGet();
        slots.finished(jobId, since, overloaded);
      }
    }

    /**
     * The item failed without an overload sign (a refused connection, an error it threw): the pass
     * goes back and the limit hears nothing, as such a round trip says nothing of how loaded
     * whoever the key calls is. (Fed as one, a connection refused in a millisecond would become the
     * key's shortest round trip, and every 50 ms answer after it would read as a long queue.)
     */
    void exitUnmeasured() {
      if (open.compareAndSet(true, false)) {
        running.decrementAndGet();
        slots.release(1);
      }
    }

    /** The item was given up on: counted as overload, as the lane counts it. */
    void abandon() {
      exit(/* overloaded= */ true);
    }
  }

  /**
   * Waits for a pass of {@code key} for an item of job {@code jobId}.
   *
   * @throws InterruptedException if interrupted while waiting (the item holds no pass then)
   */
  Pass enter(String key, String jobId) throws InterruptedException {
    Key known = byKey.get(key);
    if (known == null) {
      known = add(key);
    }
    LaneSlots slots = known.slots();
    long asked = nanoTime.getAsLong();
    if (slots.tryAcquireUpTo(1) == 0) {
      known.waiting().incrementAndGet();
      try {
        slots.acquire();
      } finally {
        known.waiting().decrementAndGet();
        if (awaitingRoom) {
          signalRoom();
        }
      }
    }
    running.incrementAndGet();
    long now = nanoTime.getAsLong();
    return new Pass(slots, running, jobId, now, now - asked);
  }

  /**
   * Whether {@code key} has a round of items waiting already: as many waiting for a pass as its
   * limit lets run. More of its items would only wait longer, and hold lane slots that items of
   * other keys could run in.
   */
  boolean saturated(String key) {
    Key known = byKey.get(key);
    return known != null && saturated(known);
  }

  private static boolean saturated(Key known) {
    return known.waiting().get() >= known.slots().size();
  }

  /**
   * Waits up to {@code timeout} for {@code key} not to be {@link #saturated}; returns whether it is
   * not. One caller at a time (the lane's loop); a waiter taking its pass wakes it.
   */
  boolean awaitRoom(String key, Duration timeout) throws InterruptedException {
    Key known = byKey.get(key);
    if (known == null || !saturated(known)) {
      return true;
    }
    long left = timeout.toNanos();
    roomLock.lockInterruptibly();
    try {
      awaitingRoom = true;
      while (saturated(known)) {
        if (left <= 0) {
          return false;
        }
        left = room.awaitNanos(left);
      }
      return true;
    } finally {
      awaitingRoom = false;
      roomLock.unlock();
    }
  }

  /** Whether someone waits in {@link #awaitRoom} now. */
  boolean awaitingRoom() {
    return awaitingRoom;
  }

  private void signalRoom() {
    roomLock.lock();
    try {
      room.signalAll();
    } finally {
      roomLock.unlock();
    }
  }

  private Key add(String key) {
    if (byKey.size() >= MAX_KEYS) {
      forgetIdle();
    }
    Key fresh =
        new Key(
            new LaneSlots(limits.get(), ceiling, /* adaptive= */ true, nanoTime),
            new AtomicInteger());
    Key known = byKey.putIfAbsent(key, fresh);
    if (known != null) {
      return known;
    }
    listener.added(key, fresh.slots()::size, fresh.slots()::taken);
    return fresh;
  }

  /**
   * Forgets keys with nothing in flight. An item that has just looked one up still runs under it;
   * the next item of that key starts a new one.
   */
  private void forgetIdle() {
    byKey.forEach(
        (key, known) -> {
          if (known.slots().taken() == 0
              && known.waiting().get() == 0
              && byKey.remove(key, known)) {
            listener.removed(key);
          }
        });
  }

  /** Items waiting for a pass now, of every key: holding a lane slot, not yet running. */
  int waiting() {
    int sum = 0;
    for (Key known : byKey.values()) {
      sum += known.waiting().get();
    }
    return sum;
  }

  /** Items holding a pass now, of every key: what the lane is running. */
  int running() {
    return running.get();
  }

  /** A key's limit now, how many of its items are in flight, and how many wait for a pass. */
  record View(String key, int limit, int inFlight, int waiting) {}

  /** The keys known now, busiest first. */
  List<View> views() {
    List<View> views = new ArrayList<>();
    byKey.forEach(
        (key, known) ->
            views.add(
                new View(key, known.slots().size(), known.slots().taken(), known.waiting().get())));
    views.sort(Comparator.comparingInt(View::inFlight).reversed().thenComparing(View::key));
    return views;
  }
}
