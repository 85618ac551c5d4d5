package dev.crew.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crew.common.ClusterConfigs;
import dev.crew.common.Lane;
import dev.crew.common.TaskCatalog;
import dev.crew.common.TaskChunk;
import dev.crew.common.http.DashboardRoutes;
import dev.crew.common.http.HttpEndpoint;
import dev.crew.common.http.HttpOptions;
import dev.crew.common.view.ClusterSnapshot;
import dev.crew.common.view.ClusterWatch;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A real worker's HTTP endpoint as its options shape it: the hosts it answers, what it shows. */
@ExtendWith(QuickJoin.class)
class HttpViewsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SECRET_ITEM = "secret-item-7f3a";

  private final String cluster = "test-" + UUID.randomUUID();
  private Worker worker;
  private int httpPort;

  private void start(List<String> allowedHosts, boolean hideErrors) throws IOException {
    try (ServerSocket free = new ServerSocket(0)) {
      httpPort = free.getLocalPort();
    }
    worker =
        Worker.start(
            new Worker.Settings(
                new ClusterConfigs.Membership(
                    cluster, List.of("127.0.0.1"), false, "127.0.0.1", 5881, false),
                2,
                50,
                0,
                Duration.ofSeconds(5)),
            TaskCatalog.builtIn(),
            new HttpOptions("127.0.0.1", httpPort, allowedHosts, hideErrors));
  }

  @AfterEach
  void stop() {
    if (worker != null) {
      worker.close();
    }
  }

  @Test
  void hideErrors_failuresCountedWithoutTheirItemOrErrorText() throws Exception {
    start(List.of(), /* hideErrors= */ true);
    new Submitter(worker.hazelcast())
        .submit(
            "fib",
            Lane.CPU,
            List.of(TaskChunk.ofItems("leaky", 0, 0, new String[] {"10", SECRET_ITEM})));
    // The same cluster through a dashboard that shows failures, as 'coordinator dashboard' does by
    // default: the text is there to hide.
    JsonNode shown;
    try (HttpEndpoint full =
        HttpEndpoint.start(
            new InetSocketAddress("127.0.0.1", 0),
            DashboardRoutes.of(
                new ClusterWatch(worker.hazelcast(), cluster, 20, System::currentTimeMillis),
                /* hideErrors= */ false))) {
      shown = awaitFailure(full.port());
    }
    assertThat(shown.get("item").asText()).isEqualTo(SECRET_ITEM);
    String error = shown.get("error").asText();
    assertThat(error).isNotBlank();

    JsonNode hidden = awaitFailure(httpPort);
    assertThat(hidden.get("jobId").asText()).isEqualTo("leaky");
    assertThat(hidden.get("index").asLong()).isEqualTo(1);
    assertThat(hidden.get("item").isNull()).isTrue();
    assertThat(hidden.get("error").asText()).isEqualTo(ClusterSnapshot.HIDDEN);
    String page = get(httpPort, "/api/cluster", "127.0.0.1");
    assertThat(page).doesNotContain(SECRET_ITEM).doesNotContain(error);
    JsonNode job = JSON.readTree(body(page)).get("jobs").get(0);
    assertThat(job.get("failed").asLong()).isEqualTo(1);
  }

  @Test
  void allowedHost_answeredAndAnyOtherNameRefused() throws Exception {
    start(List.of("crew-workers.crew.svc"), /* hideErrors= */ false);

    assertThat(get(httpPort, "/metrics", "crew-workers.crew.svc:" + httpPort))
        .startsWith("HTTP/1.1 200")
        .contains("crew_");
    assertThat(get(httpPort, "/health/ready", "localhost")).startsWith("HTTP/1.1 200");
    String refused = get(httpPort, "/metrics", "rebound.example:" + httpPort);
    assertThat(refused).startsWith("HTTP/1.1 421").doesNotContain("crew_");
    assertThat(body(refused)).isEqualTo(HttpEndpoint.MISDIRECTED);
  }

  /** The first failure the dashboard's JSON at {@code port} lists, once it lists one. */
  private static JsonNode awaitFailure(int port) {
    return await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> JSON.readTree(body(get(port, "/api/cluster", "localhost"))).get("failures"),
            failures -> failures.size() == 1)
        .get(0);
  }

  /** The whole answer to a GET sent with {@code host} as its Host header. */
  private static String get(int port, String path, String host) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.UTF_8));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String body(String answer) {
    return answer.substring(answer.indexOf("\r\n\r\n") + 4);
  }
}
