package dev.crew.worker;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.limit.FixedLimit;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The slots of a lane: a semaphore whose size follows a concurrency {@link Limit}. Each run that
 * ends reports its round trip and whether it showed overload, the limit may move, and the number of
 * slots moves with it, never past a hard ceiling. When the limit shrinks below what is in flight,
 * no slot is handed out until enough runs end to bring the count under it.
 *
 * <p>The limit is one for the lane, but jobs' items take very different times: GETs of 5 ms, then
 * sleeps of 500 ms. Fed raw round trips, a latency-based limit reads the slower job's items as a
 * queue 100 times as long and cuts itself to a handful (a job of 2,000 half-second items ran at 10
 * a second after a job of fast GETs). So each round trip is measured against the shortest one of
 * its own job, and the limit is fed that ratio (times {@link #REFERENCE_NANOS}): a job's items that
 * take as long as its quickest read as no queue, whatever that time is; a queue that builds, at the
 * far side or in this worker, stretches every job's ratio alike. Against the shortest so far, never
 * a baseline fixed from a job's first round trips: the limit keeps the shortest it was ever fed as
 * its round trip without a queue, and a baseline taken while the worker was cold (its first GETs
 * slow) fed the next job's round trips as shorter than that, read as a queue of half, and cut the
 * limit to 4.
 */
final class LaneSlots {
  /** What a round trip as short as its job's shortest is fed to the limit as: 10 ms. */
  static final long REFERENCE_NANOS = 10_000_000;

  /** Jobs whose shortest round trip is kept; past this many, all are forgotten and learnt again. */
  static final int MAX_JOBS_KEPT = 1_024;

  private final ReentrantLock lock = new ReentrantLock();

  /**
   * Signalled once per slot freed, so that one waiter wakes for it: a key's many items waiting for
   * its passes ({@link KeyLimits}) all woke for every pass handed back, and went back to sleep but
   * one, a cost per item that grew with the number waiting. All wake when the size changes.
   */
  private final Condition slotFree = lock.newCondition();

  /** Signalled when no slot is taken. */
  private final Condition idle = lock.newCondition();

  private final Limit limit;
  private final int ceiling;
  private final boolean adaptive;
  private final LongSupplier nanoTime;
  private volatile int size;
  private int taken; // guarded by lock
  private final ConcurrentHashMap<String, AtomicLong> shortest = new ConcurrentHashMap<>();

  /**
   * @param limit the concurrency limit the size follows
   * @param ceiling most slots whatever the limit says, so no job can run a worker out of memory
   * @param adaptive whether the limit moves (for views)
   * @param nanoTime the clock round trips are measured with
   */
  LaneSlots(Limit limit, int ceiling, boolean adaptive, LongSupplier nanoTime) {
    if (ceiling < 1) {
      throw new IllegalArgumentException("a lane needs at least one slot, not " + ceiling);
    }
    this.limit = limit;
    this.ceiling = ceiling;
    this.adaptive = adaptive;
    this.nanoTime = nanoTime;
    this.size = bounded(limit.getLimit());
    limit.notifyOnChange(this::resize);
  }

  /** A lane of {@code count} slots that never change. */
  static LaneSlots fixed(int count) {
    return new LaneSlots(FixedLimit.of(count), count, /* adaptive= */ false, System::nanoTime);
  }

  private int bounded(int proposed) {
    return Math.clamp(proposed, 1, ceiling);
  }

  private void resize(int proposed) {
    lock.lock();
    try {
      size = bounded(proposed);
      slotFree.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Waits for a free slot and takes it. */
  void acquire() throws InterruptedException {
    lock.lockInterruptibly();
    try {
      while (taken >= size) {
        try {
          slotFree.await();
        } catch (InterruptedException e) {
          slotFree.signal(); // a slot this waiter was woken for goes to another
          throw e;
        }
      }
      taken++;
    } finally {
      lock.unlock();
    }
  }

  /** Takes up to {@code wanted} free slots without waiting; returns how many it took. */
  int tryAcquireUpTo(int wanted) {
    lock.lock();
    try {
      int took = Math.clamp(size - taken, 0, Math.max(0, wanted));
      taken += took;
      return took;
    } finally {
      lock.unlock();
    }
  }

  /** Hands back {@code count} slots that ran nothing. */
  void release(int count) {
    if (count <= 0) {
      return;
    }
    lock.lock();
    try {
      taken -= count;
      if (count == 1) {
        slotFree.signal();
      } else {
        slotFree.signalAll();
      }
      if (taken == 0) {
        idle.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * A run of job {@code jobId} that held one slot since {@code startNanos} ended: its round trip,
   * against the job's shortest, goes to the limit, {@code overloaded} (it timed out, or was told to
   * slow down) counts as a drop, and its slot is freed.
   */
  void finished(String jobId, long startNanos, boolean overloaded) {
    finished(jobId, startNanos, adaptive ? taken() : 0, overloaded);
  }

  /**
   * As {@link #finished(String, long, boolean)}, with {@code inFlight} items counted as in flight
   * rather than the slots taken: a lane whose items wait for their key's {@link KeyLimits pass}
   * counts those running, so a limit filled by items that wait, or by items just started that have
   * not asked for their pass yet, is not read as used up.
   */
  void finished(String jobId, long startNanos, int inFlight, boolean overloaded) {
    if (adaptive) {
      long end = nanoTime.getAsLong();
      long relative = relative(jobId, Math.max(1, end - startNanos));
      // Fed as a run that ended now: the limit's windows close on start + round trip.
      limit.onSample(end - relative, relative, inFlight, overloaded);
    }
    release(1);
  }

  /** {@code rtt} as a multiple of the job's shortest round trip, in units of the reference. */
  private long relative(String jobId, long rtt) {
    if (shortest.size() > MAX_JOBS_KEPT) {
      shortest.clear();
    }
    long least =
        shortest.computeIfAbsent(jobId, id -> new AtomicLong(rtt)).accumulateAndGet(rtt, Math::min);
    return (long) ((double) rtt / least * REFERENCE_NANOS);
  }

  /** Free slots now (0 while more are in flight than the limit allows). */
  int available() {
    lock.lock();
    try {
      return Math.max(0, size - taken);
    } finally {
      lock.unlock();
    }
  }

  /** Slots taken now, running or held by the lane's loop. */
  int taken() {
    lock.lock();
    try {
      return taken;
    } finally {
      lock.unlock();
    }
  }

  /** The current number of slots: the limit, within 1 and the ceiling. */
  int size() {
    return size;
  }

  int ceiling() {
    return ceiling;
  }

  boolean adaptive() {
    return adaptive;
  }

  /** Waits until no slot is taken. */
  boolean awaitIdle(Duration timeout) throws InterruptedException {
    long left = timeout.toNanos();
    lock.lockInterruptibly();
    try {
      while (taken > 0) {
        if (left <= 0) {
          return false;
        }
        left = idle.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }
}
