package dev.crew.common;

import com.hazelcast.internal.util.ConcurrencyUtil;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;

/**
 * The pool that runs the callbacks of Hazelcast's asynchronous calls (what follows a {@code
 * getAsync}, a {@code putIfAbsentAsync}, a {@code deleteAsync}).
 *
 * <p>Hazelcast runs them in the JDK's common pool, unless that pool has fewer than two threads,
 * which it has on a machine with one or two cores: then it starts <em>a new platform thread for
 * every callback</em>. On a 2-core machine that was most of the cost of a one-item task (thousands
 * of threads started and ended per second; one-item tasks ran at a third of their speed). There a
 * small pool of our own takes the callbacks instead; on larger machines Hazelcast's choice stands.
 */
public final class CallbackPool {
  private static final int THREADS = 2;
  private static boolean installed;

  private CallbackPool() {}

  /**
   * Gives Hazelcast a pool for its callbacks where its own choice would be a thread per callback;
   * idempotent.
   */
  public static synchronized void install() {
    if (ForkJoinPool.getCommonPoolParallelism() >= THREADS || installed) {
      return;
    }
    ForkJoinPool pool =
        new ForkJoinPool(
            THREADS,
            forkJoin -> {
              ForkJoinWorkerThread thread =
                  ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(forkJoin);
              thread.setName("crew-callback-" + thread.getPoolIndex());
              thread.setDaemon(true);
              return thread;
            },
            /* handler= */ null,
            /* asyncMode= */ true);
    ConcurrencyUtil.setDefaultAsyncExecutor(pool);
    installed = true;
  }
}
