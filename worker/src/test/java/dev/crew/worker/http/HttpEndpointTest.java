package dev.crew.worker.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.crew.common.http.AllowedHosts;
import dev.crew.common.http.HttpEndpoint;
import dev.crew.common.http.HttpOptions;
import dev.crew.common.http.ServerLimits;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The endpoint a worker serves (its class lives in common, as the dashboard's command serves it
 * too). Tested here, not in common: the JDK's server reads its limits once per process, and
 * common's tests start JDK servers of their own first.
 */
class HttpEndpointTest {
  /** What a liveness probe may take, even while the endpoint is under attack. */
  private static final Duration PROBE_BUDGET = Duration.ofMillis(100);

  private static final Map<String, HttpEndpoint.Route> PROBES =
      Map.of("/health/live", () -> HttpEndpoint.Reply.text(200, "live\n"));

  private final HttpClient client = HttpClient.newHttpClient();
  private final List<Socket> clients = new ArrayList<>();
  private HttpEndpoint endpoint;

  @AfterEach
  void stop() throws IOException {
    for (Socket socket : clients) {
      socket.close();
    }
    if (endpoint != null) {
      endpoint.close();
    }
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void endpoint_answersItsRoutesAndRefusesTheRest() throws Exception {
    endpoint =
        HttpEndpoint.start(
            new InetSocketAddress("127.0.0.1", 0),
            Map.of(
                "/ok", () -> HttpEndpoint.Reply.text(200, "fine\n"),
                "/down", () -> HttpEndpoint.Reply.text(503, "not ready\n"),
                "/broken",
                    () -> {
                      throw new IllegalStateException("boom");
                    }));

    HttpResponse<String> ok = send("GET", "/ok");
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo("fine\n");
    assertThat(ok.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
    assertThat(send("GET", "/down").statusCode()).isEqualTo(503);
    assertThat(send("GET", "/nowhere").statusCode()).isEqualTo(404);
    assertThat(send("POST", "/ok").statusCode()).isEqualTo(405);
    HttpResponse<String> broken = send("GET", "/broken");
    assertThat(broken.statusCode()).isEqualTo(500);
    assertThat(broken.body()).contains("boom");
    assertThat(send("HEAD", "/ok").body()).isEmpty();
  }

  @Test
  void endpoint_portInUse_failsWithOneClearMessage() {
    endpoint = HttpEndpoint.start(new InetSocketAddress("127.0.0.1", 0), Map.of());
    int taken = endpoint.port();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> HttpEndpoint.start(new InetSocketAddress("127.0.0.1", taken), Map.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("cannot serve HTTP on 127.0.0.1:" + taken);
  }

  @Test
  void options_portOutOfRangeOrBlankBind_refused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new HttpOptions("127.0.0.1", 70000))
        .hasMessageContaining("--http-port");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new HttpOptions(" ", 9400))
        .hasMessageContaining("--http-bind");
    assertThat(HttpOptions.OFF.enabled()).isFalse();
  }

  @Test
  void endpoint_fiftyIdleAndFiftyHalfRequests_probeAnswersWithin100ms() throws Exception {
    endpoint = HttpEndpoint.start(new InetSocketAddress("127.0.0.1", 0), PROBES, Map.of());
    assertThat(probe().status()).isEqualTo(200);
    for (int i = 0; i < 50; i++) {
      connect();
      connect().getOutputStream().write(bytes("GET /health/li"));
    }

    for (int i = 0; i < 10; i++) {
      Probe probe = probe();
      assertThat(probe.status()).isEqualTo(200);
      assertThat(probe.took()).as("probe %d", i).isLessThanOrEqualTo(PROBE_BUDGET);
    }
    // The probes ran while the attack was on, not after the server had already cut it off.
    assertThat(countClosed(clients)).isZero();
  }

  @Test
  void endpoint_pagesBusy_probeAnswersWithin100msAndAWaitingPageIsToldBusy() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch entered = new CountDownLatch(1);
    endpoint =
        HttpEndpoint.start(
            new InetSocketAddress("127.0.0.1", 0),
            PROBES,
            Map.of(
                "/slow",
                () -> {
                  entered.countDown();
                  try {
                    release.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  return HttpEndpoint.Reply.text(200, "slow\n");
                }));
    try {
      CompletableFuture<HttpResponse<String>> first = sendAsync("/slow");
      assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<HttpResponse<String>> second = sendAsync("/slow");
      CompletableFuture<HttpResponse<String>> third = sendAsync("/slow");

      for (int i = 0; i < 5; i++) {
        Probe probe = probe();
        assertThat(probe.status()).isEqualTo(200);
        assertThat(probe.took()).as("probe %d", i).isLessThanOrEqualTo(PROBE_BUDGET);
      }
      assertThat(second.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(503);
      assertThat(third.get(10, TimeUnit.SECONDS).body()).startsWith("busy");
      assertThat(first).isNotDone();
      release.countDown();
      assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    } finally {
      release.countDown();
    }
  }

  @Test
  void endpoint_connectionsWithoutACompleteRequest_closedAfterTheRequestTime() throws Exception {
    endpoint = HttpEndpoint.start(new InetSocketAddress("127.0.0.1", 0), PROBES, Map.of());
    Socket silent = connect();
    Socket half = connect();
    half.getOutputStream().write(bytes("GET /health/live HTTP/1.1\r\nHost: localhost\r\n"));

    await("the server closing both connections")
        .atMost(ServerLimits.REQUEST_TIME.plus(ServerLimits.CHECK_EVERY.multipliedBy(3)))
        .until(() -> closedByServer(silent) && closedByServer(half));
  }

  @Test
  void endpoint_slowButCompleteRequest_answered() throws Exception {
    // Well inside the request time, but longer than one check: if the JDK read the deadline in
    // another unit (its documentation once said milliseconds), this request would be cut.
    Duration pause = ServerLimits.CHECK_EVERY.multipliedBy(2);
    assertThat(pause).isLessThan(ServerLimits.REQUEST_TIME);
    endpoint = HttpEndpoint.start(new InetSocketAddress("127.0.0.1", 0), PROBES, Map.of());
    Socket socket = connect();
    OutputStream out = socket.getOutputStream();
    out.write(bytes("GET /health/live HTTP/1.1\r\n"));
    out.flush();
    CompletableFuture.runAsync(
            () -> {
              try {
                out.write(bytes("Host: localhost\r\nConnection: close\r\n\r\n"));
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            },
            CompletableFuture.delayedExecutor(pause.toMillis(), TimeUnit.MILLISECONDS))
        .get(10, TimeUnit.SECONDS);

    socket.setSoTimeout(10_000);
    assertThat(new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .startsWith("HTTP/1.1 200");
  }

  @Test
  void endpoint_connectionPastTheBound_closedAtOnce() throws Exception {
    endpoint = HttpEndpoint.start(new InetSocketAddress("127.0.0.1", 0), PROBES, Map.of());
    List<Socket> opened = new ArrayList<>();
    for (int i = 0; i <= ServerLimits.MAX_CONNECTIONS; i++) {
      opened.add(connect());
    }

    // Which one is refused depends on the order the server accepts them in; exactly one is, long
    // before the request time would close the others.
    await("one connection past the bound closed")
        .atMost(Duration.ofSeconds(1))
        .until(() -> countClosed(opened) == 1);
    assertThat(countClosed(opened)).isEqualTo(1);
  }

  @Test
  void endpoint_hostOfARebindingPage_421WithOneLineAndNothingElse() throws Exception {
    endpoint =
        HttpEndpoint.start(
            new InetSocketAddress("127.0.0.1", 0),
            AllowedHosts.of("127.0.0.1", List.of("crew.example")),
            PROBES,
            Map.of("/data", () -> HttpEndpoint.Reply.text(200, "the worker's data\n")));

    for (String host :
        List.of(
            "evil.example",
            "evil.example:" + endpoint.port(),
            "127.0.0.1.nip.io",
            "localhost.evil.example",
            "crew.example.evil.example",
            "",
            "evil.example:80:80",
            "[evil]")) {
      for (String path : List.of("/data", "/health/live", "/nowhere")) {
        Answer answer = get(path, List.of(host));
        assertThat(answer.status()).as("%s %s", host, path).isEqualTo(421);
        assertThat(answer.body())
            .as("%s %s", host, path)
            .isEqualTo(HttpEndpoint.MISDIRECTED)
            .doesNotContain("data", "live", "nowhere");
      }
    }
    // Two Host headers: which one a proxy in front read is anyone's guess.
    assertThat(get("/data", List.of("localhost", "evil.example")).status()).isEqualTo(421);
  }

  @Test
  void endpoint_loopbackAddressesAndAllowedNames_answered() throws Exception {
    endpoint =
        HttpEndpoint.start(
            new InetSocketAddress("127.0.0.1", 0),
            AllowedHosts.of("127.0.0.1", List.of("crew.example", "Scrape.Example:9400")),
            PROBES,
            Map.of("/data", () -> HttpEndpoint.Reply.text(200, "the worker's data\n")));
    int port = endpoint.port();

    for (String host :
        List.of(
            "localhost",
            "LOCALHOST:" + port,
            "localhost.",
            "127.0.0.1:" + port,
            "127.9.8.7",
            "[::1]:" + port,
            "[::1]",
            // An address was asked for as such (a pod IP, a mapped port), never by a rebinding
            // page.
            "10.1.2.3:" + port,
            "[fd00::5]",
            "crew.example",
            "crew.example.:" + port,
            "scrape.example:1234")) {
      Answer answer = get("/data", List.of(host));
      assertThat(answer.status()).as(host).isEqualTo(200);
      assertThat(answer.body()).as(host).isEqualTo("the worker's data\n");
    }
    // No Host at all (HTTP/1.0 from a script): no browser sends that.
    assertThat(get("/data", List.of()).status()).isEqualTo(200);
  }

  @Test
  void allowedHosts_optionValueNotAHostName_refusedWithTheValue() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new HttpOptions("0.0.0.0", 9400, List.of("crew.example", "evil name"), false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--http-allowed-host: 'evil name'");
    assertThat(new HttpOptions("0.0.0.0", 9400, List.of(" Crew.Example. ", ""), false).hosts())
        .isEqualTo(new AllowedHosts(java.util.Set.of("localhost", "0.0.0.0", "crew.example")));
    assertThat(AllowedHosts.of("crew-host", List.of()).names()).contains("crew-host");
  }

  private record Answer(int status, String body) {}

  /** A GET with exactly {@code hosts} as its Host headers (none: HTTP/1.0 without one). */
  private Answer get(String path, List<String> hosts) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", endpoint.port())) {
      socket.setSoTimeout(10_000);
      StringBuilder request =
          new StringBuilder("GET ")
              .append(path)
              .append(hosts.isEmpty() ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");
      hosts.forEach(host -> request.append("Host: ").append(host).append("\r\n"));
      request.append("Connection: close\r\n\r\n");
      socket.getOutputStream().write(bytes(request.toString()));
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(answer).startsWith("HTTP/1.1 ");
      return new Answer(
          Integer.parseInt(answer.substring(9, 12)),
          answer.substring(answer.indexOf("\r\n\r\n") + 4));
    }
  }

  private record Probe(int status, Duration took) {}

  /** A GET of /health/live on a new connection, as a kubelet sends it. */
  private Probe probe() throws IOException {
    long started = System.nanoTime();
    try (Socket socket = new Socket("127.0.0.1", endpoint.port())) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              bytes("GET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      assertThat(answer).startsWith("HTTP/1.1 ");
      return new Probe(Integer.parseInt(answer.substring(9, 12)), took);
    }
  }

  private CompletableFuture<HttpResponse<String>> sendAsync(String path) {
    return client.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket("127.0.0.1", endpoint.port());
    clients.add(socket);
    return socket;
  }

  private static int countClosed(List<Socket> sockets) throws IOException {
    int closed = 0;
    for (Socket socket : sockets) {
      if (closedByServer(socket)) {
        closed++;
      }
    }
    return closed;
  }

  /** True once the server closed {@code socket}: end of stream or a reset, not a read timeout. */
  private static boolean closedByServer(Socket socket) throws IOException {
    socket.setSoTimeout(1);
    try {
      InputStream in = socket.getInputStream();
      return in.read() == -1;
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
