package dev.crew.worker;

import com.hazelcast.map.IMap;
import com.hazelcast.map.impl.proxy.MapProxyImpl;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/** The few asynchronous map calls that {@link IMap}'s interface lacks, and waiting on them. */
final class Async {
  private static final Executor FALLBACK =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("crew-async-", 1).factory());

  private Async() {}

  /**
   * {@code putIfAbsent} without blocking the caller. A member's own map proxy has it (public on the
   * implementation, not on the interface); any other map gets it on a virtual thread.
   */
  @SuppressWarnings("unchecked")
  static <K, V> CompletableFuture<V> putIfAbsent(IMap<K, V> map, K key, V value) {
    if (map instanceof MapProxyImpl<?, ?> proxy) {
      return ((MapProxyImpl<K, V>) proxy).putIfAbsentAsync(key, value);
    }
    return CompletableFuture.supplyAsync(() -> map.putIfAbsent(key, value), FALLBACK);
  }

  /** Waits for {@code future}; its failure is rethrown as it was (unchecked), not wrapped. */
  static <T> T join(CompletableFuture<T> future) throws InterruptedException {
    try {
      return future.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new CompletionException(cause);
    }
  }
}
