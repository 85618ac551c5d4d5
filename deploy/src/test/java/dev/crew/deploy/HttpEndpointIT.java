package dev.crew.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * A real worker's HTTP endpoint under the cheapest attack there is: connections that send nothing,
 * or half a request, and stay open. Its liveness probe must keep answering at once, as a kubelet
 * expects, and the worker must close those connections itself. And under a web page's: a name
 * pointed at the worker's address (DNS rebinding) gets nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class HttpEndpointIT {
  /** What a liveness probe may take, even while the endpoint is under attack. */
  private static final Duration PROBE_BUDGET = Duration.ofMillis(100);

  /** The worker's request time (5 s) and its check interval (1 s), with room for a busy host. */
  private static final Duration CLOSED_WITHIN = Duration.ofSeconds(10);

  private final String cluster = CrewLaunchers.randomClusterName();
  private final List<Socket> attackers = new ArrayList<>();
  private CrewLaunchers crew;
  private int httpPort;

  @BeforeAll
  void startWorker() {
    crew = new CrewLaunchers(getClass().getSimpleName());
    crew.ensureJars();
    int base = CrewLaunchers.freePortBase(2);
    httpPort = base + 1;
    crew.startWorker(
        cluster,
        base,
        List.of("127.0.0.1:" + base),
        1,
        List.of(
            "--http-port",
            Integer.toString(httpPort),
            "--http-allowed-host",
            "crew-workers.crew.svc"));
  }

  @AfterEach
  void closeAttackers() throws IOException {
    for (Socket socket : attackers) {
      socket.close();
    }
    attackers.clear();
  }

  @AfterAll
  void stop() {
    if (crew != null) {
      crew.close();
    }
  }

  @Test
  void live_fiftyIdleAndFiftyHalfRequestConnections_answersWithin100ms() throws Exception {
    assertThat(probe("/health/live").status()).isEqualTo(200);
    for (int i = 0; i < 50; i++) {
      connect();
      connect().getOutputStream().write(bytes("GET /health/li"));
    }

    for (int i = 0; i < 10; i++) {
      Probe probe = probe("/health/live");
      assertThat(probe.status()).isEqualTo(200);
      assertThat(probe.took()).as("probe %d", i).isLessThanOrEqualTo(PROBE_BUDGET);
    }
    assertThat(probe("/health/ready").status()).isEqualTo(200);
    // The probes ran while the attack was on, not after the worker had already cut it off.
    assertThat(attackers.stream().filter(HttpEndpointIT::closedByServer)).isEmpty();
  }

  @Test
  void worker_connectionsWithoutACompleteRequest_closed() throws Exception {
    Socket silent = connect();
    Socket half = connect();
    half.getOutputStream().write(bytes("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n"));

    await("the worker closing both connections")
        .atMost(CLOSED_WITHIN)
        .until(() -> closedByServer(silent) && closedByServer(half));
    assertThat(probe("/health/live").status()).isEqualTo(200);
  }

  @Test
  void host_aRebindingPagesNameRefused_theAllowedNameAnswered() throws Exception {
    String refused = get("/metrics", "rebound.example:" + httpPort);
    assertThat(refused).startsWith("HTTP/1.1 421").doesNotContain("crew_");
    assertThat(refused.substring(refused.indexOf("\r\n\r\n") + 4)).hasLineCount(1);
    assertThat(get("/metrics", "crew-workers.crew.svc:" + httpPort))
        .startsWith("HTTP/1.1 200")
        .contains("crew_");
    assertThat(get("/health/live", "localhost:" + httpPort)).startsWith("HTTP/1.1 200");
  }

  /** The whole answer to a GET of {@code path} sent with {@code host} as its Host header. */
  private String get(String path, String host) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", httpPort)) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              bytes(
                  "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n"));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private record Probe(int status, Duration took) {}

  /** A GET on a new connection, as a kubelet sends it. */
  private Probe probe(String path) throws IOException {
    long started = System.nanoTime();
    try (Socket socket = new Socket("127.0.0.1", httpPort)) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              bytes("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      assertThat(answer).startsWith("HTTP/1.1 ");
      return new Probe(Integer.parseInt(answer.substring(9, 12)), took);
    }
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket("127.0.0.1", httpPort);
    attackers.add(socket);
    return socket;
  }

  /** True once the worker closed {@code socket}: end of stream or a reset, not a read timeout. */
  private static boolean closedByServer(Socket socket) {
    try {
      socket.setSoTimeout(1);
      return socket.getInputStream().read() == -1;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
