package dev.crew.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.crew.common.ClusterConfigs;
import dev.crew.common.Lane;
import dev.crew.common.Names;
import dev.crew.common.TaskCatalog;
import dev.crew.common.TaskChunk;
import dev.crew.common.WorkerStats;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real worker with {@code --io-concurrency auto} against a local server that serves at most
 * {@value #CAPACITY} requests at once, each after {@value #DELAY_MS} ms, and queues the rest: the
 * limit it publishes moves from where it starts to near that capacity, and stays there.
 */
@ExtendWith(QuickJoin.class)
class AdaptiveIoClusterTest {
  private static final int CAPACITY = 60;
  private static final int DELAY_MS = 50;

  private final String cluster = "test-" + UUID.randomUUID();
  private final Semaphore serving = new Semaphore(CAPACITY);
  private final AtomicInteger mostServing = new AtomicInteger();
  private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
  private HttpServer server;
  private Worker worker;

  @BeforeEach
  void startServerAndWorker() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4_096);
    server.createContext(
        "/",
        exchange -> {
          try {
            serving.acquire();
            try {
              mostServing.accumulateAndGet(CAPACITY - serving.availablePermits(), Math::max);
              Thread.sleep(DELAY_MS);
            } finally {
              serving.release();
            }
            exchange.sendResponseHeaders(200, 2);
            exchange
                .getResponseBody()
                .write("ok".getBytes(java.nio.charset.StandardCharsets.UTF_8));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } finally {
            exchange.close();
          }
        });
    server.setExecutor(handlers);
    server.start();
    worker =
        Worker.start(
            new Worker.Settings(
                new ClusterConfigs.Membership(
                    cluster, List.of("127.0.0.1"), false, "127.0.0.1", 5851, false),
                1,
                Worker.Settings.IO_AUTO,
                0,
                Duration.ofSeconds(5)),
            TaskCatalog.builtIn());
  }

  @AfterEach
  void stop() {
    if (worker != null) {
      worker.close();
    }
    server.stop(0);
    handlers.shutdownNow();
  }

  @Test
  void autoLimit_settlesNearTheCapacityOfTheServer() throws InterruptedException {
    String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    List<TaskChunk> tasks = new ArrayList<>();
    for (int seq = 0; seq < 400; seq++) {
      String[] items = new String[100];
      java.util.Arrays.fill(items, url);
      tasks.add(TaskChunk.ofItems("gets", seq, seq * 100L, items));
    }
    int before = await().atMost(Duration.ofSeconds(30)).until(this::ioLimit, l -> l > 0);
    assertThat(before).as("where the limit starts").isEqualTo(AdaptiveLimit.INITIAL);
    new Submitter(worker.hazelcast()).submit("http-get", Lane.IO, tasks);
    List<Integer> seen = new java.util.concurrent.CopyOnWriteArrayList<>();

    // From where it starts it has to move into 3/4 to 1.5 times the capacity, and stay there.
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              int limit = ioLimit();
              seen.add(limit);
              int n = seen.size();
              return n >= 6
                  && seen.subList(n - 6, n).stream()
                      .allMatch(l -> l >= CAPACITY * 3 / 4 && l <= CAPACITY * 3 / 2);
            });
    assertThat(mostServing.get()).isEqualTo(CAPACITY);
  }

  /** The I/O limit this worker last published, 0 before it first did. */
  private int ioLimit() {
    WorkerStats stats =
        worker
            .hazelcast()
            .<String, WorkerStats>getMap(Names.STATS)
            .get(worker.hazelcast().getCluster().getLocalMember().getUuid().toString());
    if (stats == null) {
      return 0;
    }
    assertThat(stats.ioAdaptive()).isTrue();
    return stats.ioSlots();
  }
}
