package dev.crew.common;

import com.hazelcast.core.IndeterminateOperationStateException;
import com.hazelcast.map.IMap;
import com.hazelcast.spi.exception.RetryableException;
import com.hazelcast.spi.exception.TargetDisconnectedException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Runs a cluster call that is safe to repeat until the cluster takes it for certain.
 *
 * <p>A call fails for certain only when it says so; two failures are not: a member that left or
 * could not be reached mid-call, and an indeterminate state, where the partition's owner applied
 * the call but not every backup confirmed it. Clients fail on the latter ({@code
 * ClusterConfigs.client}) rather than complete: the owner may be cut off, and the copy promoted
 * when it is dropped would lack the write. Redoing the call lands it on whichever replica owns the
 * partition by then, so the write survives either way.
 */
public final class Redo {
  /** How long a call is redone: longer than a cut-off member takes to be dropped. */
  static final Duration REDO_FOR = Duration.ofMinutes(2);

  private static final long FIRST_WAIT = TimeUnit.MILLISECONDS.toNanos(20);
  private static final long MAX_WAIT = TimeUnit.SECONDS.toNanos(1);

  private Redo() {}

  /**
   * Runs {@code call}, again after a short wait while it fails as a lost member or an indeterminate
   * state, for up to {@link #REDO_FOR}; other failures are thrown at once.
   *
   * @throws IllegalStateException when interrupted while waiting (the interrupt flag stays set)
   */
  public static <T> T idempotent(Supplier<T> call) {
    long deadline = System.nanoTime() + REDO_FOR.toNanos();
    long wait = FIRST_WAIT;
    while (true) {
      try {
        return call.get();
      } catch (RuntimeException e) {
        if (!worthRedoing(e) || System.nanoTime() + wait > deadline) {
          throw e;
        }
      }
      LockSupport.parkNanos(wait);
      if (Thread.currentThread().isInterrupted()) {
        throw new IllegalStateException("interrupted while waiting for the cluster");
      }
      wait = Math.min(wait * 2, MAX_WAIT);
    }
  }

  /**
   * Redoes, with {@code again}, a call whose first attempt failed with {@code failure}, when that
   * failure leaves it open whether the call took effect ({@link #idempotent}); otherwise throws it.
   */
  public static <T> T after(RuntimeException failure, Supplier<T> again) {
    if (!worthRedoing(failure)) {
      throw failure;
    }
    return idempotent(again);
  }

  /**
   * {@code map.replace(key, expected, update)}, a compare-and-set, redone as {@link #idempotent}
   * when its outcome is open. A redo of an attempt that did land finds {@code update} in place of
   * {@code expected}: that counts as replaced (so does an equal value another party wrote
   * meanwhile, which has the same effect).
   *
   * @return whether the map holds {@code update} by this call
   */
  public static <K, V> boolean replace(IMap<K, V> map, K key, V expected, V update) {
    try {
      return map.replace(key, expected, update);
    } catch (RuntimeException e) {
      return after(e, () -> map.replace(key, expected, update) || update.equals(map.get(key)));
    }
  }

  /** Whether {@code e} leaves it open whether the call took effect everywhere. */
  public static boolean worthRedoing(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof TargetDisconnectedException
          || t instanceof RetryableException
          || t instanceof IndeterminateOperationStateException) {
        return true;
      }
    }
    return false;
  }
}
