package dev.crew.common;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.internal.util.ConcurrencyUtil;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CallbackPoolTest {

  /**
   * Whatever the machine's core count, once a member config is built Hazelcast's callbacks run on
   * pool threads (ours, or the common pool's on larger machines), never on a new thread per
   * callback as Hazelcast's own fallback does.
   */
  @Test
  void callbacksRunOnPoolThreads_neverOnAThreadEach() throws InterruptedException {
    ClusterConfigs.member(
        new ClusterConfigs.Membership("c", List.of(), false, null, 5701, /* isolated= */ true),
        Map.of(),
        1);
    Executor callbacks = ConcurrencyUtil.getDefaultAsyncExecutor();
    int count = 200;
    Set<Thread> threads = ConcurrentHashMap.newKeySet();
    CountDownLatch done = new CountDownLatch(count);
    for (int i = 0; i < count; i++) {
      callbacks.execute(
          () -> {
            threads.add(Thread.currentThread());
            done.countDown();
          });
    }
    assertThat(done.await(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    assertThat(threads)
        .allSatisfy(
            thread ->
                assertThat(thread.getName())
                    .matches("crew-callback-\\d+|ForkJoinPool\\.commonPool-worker-\\d+"));
    assertThat(threads.size())
        .isLessThanOrEqualTo(Math.max(2, Runtime.getRuntime().availableProcessors()));
  }
}
