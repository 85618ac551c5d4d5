package dev.crew.common.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.crew.common.ItemFunction;
import dev.crew.common.Lane;
import dev.crew.common.Params;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpGetTaskTest {
  private static final int BODY_BYTES = 12_345;
  private static final byte[] NOT_FOUND = "nothing here".getBytes(StandardCharsets.UTF_8);

  private static HttpServer server;
  private static ExecutorService handlers;

  /**
   * Holds the slow handler until the test is done with it; released in {@link #stopServer()} at the
   * latest.
   */
  private static final CountDownLatch RELEASE_SLOW = new CountDownLatch(1);

  private static final AtomicInteger LOOPS = new AtomicInteger();
  private static final CountDownLatch HANGING = new CountDownLatch(1);
  private static final Set<InetSocketAddress> PEERS = ConcurrentHashMap.newKeySet();

  /** GETs of /gate that must be waiting before any is answered: then all answers come at once. */
  private static final int GATE_SIZE = 300;

  private static final CountDownLatch GATE = new CountDownLatch(GATE_SIZE);

  private final HttpGetTask task = new HttpGetTask();

  @BeforeAll
  static void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    handlers = Executors.newCachedThreadPool();
    server.setExecutor(handlers);
    server.createContext("/ok", ex -> respond(ex, 200, filled(BODY_BYTES)));
    server.createContext("/missing", ex -> respond(ex, 404, NOT_FOUND));
    server.createContext("/error", ex -> respond(ex, 500, new byte[7]));
    server.createContext(
        "/empty",
        ex -> {
          ex.sendResponseHeaders(204, -1);
          ex.close();
        });
    server.createContext(
        "/chunked",
        ex -> {
          ex.sendResponseHeaders(200, 0); // unknown length: chunked
          try (OutputStream out = ex.getResponseBody()) {
            for (int i = 0; i < 3; i++) {
              out.write(filled(1_000));
              out.flush();
            }
          }
        });
    server.createContext(
        "/redirect",
        ex -> {
          ex.getResponseHeaders().add("Location", "/ok");
          ex.sendResponseHeaders(302, -1);
          ex.close();
        });
    server.createContext(
        "/loop",
        ex -> {
          LOOPS.incrementAndGet();
          ex.getResponseHeaders().add("Location", "/loop");
          ex.sendResponseHeaders(302, -1);
          ex.close();
        });
    server.createContext(
        "/nowhere",
        ex -> {
          ex.sendResponseHeaders(301, -1);
          ex.close();
        });
    server.createContext(
        "/encoding",
        ex -> {
          String accepted = ex.getRequestHeaders().getFirst("Accept-Encoding");
          respond(ex, 200, (accepted == null ? "" : accepted).getBytes(StandardCharsets.UTF_8));
        });
    server.createContext(
        "/peer",
        ex -> {
          PEERS.add(ex.getRemoteAddress());
          respond(ex, 200, new byte[1]);
        });
    server.createContext(
        "/hang",
        ex -> {
          HANGING.countDown();
          answerOnceOpen(ex, RELEASE_SLOW);
        });
    server.createContext(
        "/gate",
        ex -> {
          GATE.countDown();
          answerOnceOpen(ex, GATE);
        });
    server.createContext("/slow", ex -> answerOnceOpen(ex, RELEASE_SLOW));
    server.start();
  }

  @AfterAll
  static void stopServer() {
    RELEASE_SLOW.countDown();
    if (server != null) {
      server.stop(0);
    }
    if (handlers != null) {
      handlers.shutdownNow();
    }
  }

  /** Answers with one byte once {@code gate} opens, or after 10 s. */
  private static void answerOnceOpen(HttpExchange ex, CountDownLatch gate) throws IOException {
    try {
      gate.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    respond(ex, 200, new byte[1]);
  }

  private static byte[] filled(int n) {
    byte[] bytes = new byte[n];
    Arrays.fill(bytes, (byte) 'x');
    return bytes;
  }

  private static void respond(HttpExchange ex, int status, byte[] body) throws IOException {
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private static String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  private ItemFunction bound(String... params) {
    return task.bind(Params.parse(List.of(params)));
  }

  @Test
  void httpGet_nameAndLane() {
    assertThat(task.name()).isEqualTo("http-get");
    assertThat(task.lane()).isEqualTo(Lane.IO);
  }

  @Test
  void httpGet_limitsEachItemUnderItsTargetHost() {
    ItemFunction get = bound();

    assertThat(get.limitKey("http://Example.com/a?b=1")).isEqualTo("http://example.com:80");
    assertThat(get.limitKey(" https://example.com/x ")).isEqualTo("https://example.com:443");
    assertThat(get.limitKey("http://127.0.0.1:8080/y")).isEqualTo("http://127.0.0.1:8080");
    assertThat(get.limitKey("ftp://example.com/"))
        .as("not fetched: limited as the task, and fails when it runs")
        .isNull();
    assertThat(get.limitKey("not a url")).isNull();
  }

  @Test
  void httpGet_okStatusAndBytes() throws Exception {
    Object result = bound().apply(url("/ok"));

    assertThat(result).isInstanceOf(HttpGetTask.Fetch.class);
    HttpGetTask.Fetch fetch = (HttpGetTask.Fetch) result;
    assertThat(fetch.status()).isEqualTo(200);
    assertThat(fetch.bytes()).isEqualTo(BODY_BYTES);
    assertThat(fetch.ms()).isNotNegative();
  }

  @Test
  void httpGet_itemIsTrimmed() throws Exception {
    HttpGetTask.Fetch fetch = (HttpGetTask.Fetch) bound().apply("  " + url("/ok") + " ");

    assertThat(fetch.status()).isEqualTo(200);
  }

  @Test
  void httpGet_notFoundIsAResult() throws Exception {
    HttpGetTask.Fetch fetch = (HttpGetTask.Fetch) bound().apply(url("/missing"));

    assertThat(fetch.status()).isEqualTo(404);
    assertThat(fetch.bytes()).isEqualTo(NOT_FOUND.length);
  }

  @Test
  void httpGet_serverErrorIsAResult() throws Exception {
    HttpGetTask.Fetch fetch = (HttpGetTask.Fetch) bound().apply(url("/error"));

    assertThat(fetch.status()).isEqualTo(500);
    assertThat(fetch.bytes()).isEqualTo(7);
  }

  @Test
  void httpGet_noBody() throws Exception {
    HttpGetTask.Fetch fetch = (HttpGetTask.Fetch) bound().apply(url("/empty"));

    assertThat(fetch.status()).isEqualTo(204);
    assertThat(fetch.bytes()).isZero();
  }

  @Test
  void httpGet_chunkedBodyCounted() throws Exception {
    HttpGetTask.Fetch fetch = (HttpGetTask.Fetch) bound().apply(url("/chunked"));

    assertThat(fetch.status()).isEqualTo(200);
    assertThat(fetch.bytes()).isEqualTo(3_000);
  }

  @Test
  void httpGet_followsRedirect() throws Exception {
    HttpGetTask.Fetch fetch = (HttpGetTask.Fetch) bound().apply(url("/redirect"));

    assertThat(fetch.status()).isEqualTo(200);
    assertThat(fetch.bytes()).isEqualTo(BODY_BYTES);
  }

  @Test
  void httpGet_redirectLoopEndsWithTheRedirect() throws Exception {
    HttpGetTask.Fetch fetch = (HttpGetTask.Fetch) bound().apply(url("/loop"));

    // As java.net.http did: 4 redirects followed, then the fifth response is the result.
    assertThat(fetch.status()).isEqualTo(302);
    assertThat(LOOPS.get()).isEqualTo(HttpGetClient.MAX_REDIRECTS + 1);
  }

  @Test
  void httpGet_redirectWithoutLocationFails() {
    assertThatThrownBy(() -> bound().apply(url("/nowhere")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("without a Location")
        .hasMessageContaining("/nowhere");
  }

  @Test
  void redirectTarget_httpsToHttpNotFollowed() throws Exception {
    URI secure = URI.create("https://a.example/x");

    assertThat(HttpGetClient.redirectTarget(secure, 302, "http://a.example/y")).isEmpty();
    assertThat(HttpGetClient.redirectTarget(secure, 302, "https://b.example/y"))
        .contains(URI.create("https://b.example/y"));
    assertThat(
            HttpGetClient.redirectTarget(
                URI.create("http://a.example/x"), 307, "https://a.example/y"))
        .contains(URI.create("https://a.example/y"));
    assertThat(HttpGetClient.redirectTarget(URI.create("https://a.example/d/x"), 308, "../z"))
        .contains(URI.create("https://a.example/z"));
    assertThat(HttpGetClient.redirectTarget(secure, 302, "ftp://a.example/y")).isEmpty();
    assertThat(HttpGetClient.redirectTarget(secure, 304, "https://a.example/y")).isEmpty();
    assertThat(HttpGetClient.redirectTarget(secure, 300, "https://a.example/y")).isEmpty();
  }

  @Test
  void httpGet_bodyNotDecoded() throws Exception {
    HttpGetTask.Fetch fetch = (HttpGetTask.Fetch) bound().apply(url("/encoding"));

    // No Accept-Encoding is sent, so the byte count is what the server sends, as before.
    assertThat(fetch.bytes()).isZero();
  }

  @Test
  void httpGet_connectionReusedPerHost() throws Exception {
    ItemFunction f = bound();
    for (int i = 0; i < 5; i++) {
      f.apply(url("/peer"));
    }

    assertThat(PEERS).hasSize(1);
  }

  @Test
  void httpGet_manyGetsInFlight_clientThreadsStayFew() throws Exception {
    ItemFunction f = bound();
    List<Future<Object>> gets = new ArrayList<>();
    try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < GATE_SIZE; i++) {
        gets.add(callers.submit(() -> f.apply(url("/gate"))));
      }
      for (Future<Object> get : gets) {
        assertThat(((HttpGetTask.Fetch) get.get(30, TimeUnit.SECONDS)).status()).isEqualTo(200);
      }
    }

    // Jetty's default pool grew towards 200 threads as the answers came in together.
    long clientThreads =
        Thread.getAllStackTraces().keySet().stream()
            .map(Thread::getName)
            .filter(name -> name.startsWith("http-get-") && !name.startsWith("http-get-timer"))
            .count();
    assertThat(clientThreads).isBetween(1L, (long) HttpGetClient.CLIENT_THREADS);
  }

  @Test
  void httpGet_unknownHost() {
    assertThatThrownBy(() -> bound().apply("http://no-such-host.invalid/x"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("no-such-host.invalid");
  }

  /** A server whose certificate nobody trusts: the GET fails, with one line naming the URL. */
  @Test
  void httpGet_untrustedCertificateFails(@TempDir Path dir) throws Exception {
    Path keys = dir.resolve("keys.p12");
    Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-keystore",
                keys.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                "secret",
                "-alias",
                "self",
                "-keyalg",
                "EC",
                "-dname",
                "CN=127.0.0.1",
                "-validity",
                "2")
            .redirectErrorStream(true)
            .start();
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue()).isZero();
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keys)) {
      store.load(in, "secret".toCharArray());
    }
    KeyManagerFactory managers =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    managers.init(store, "secret".toCharArray());
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(managers.getKeyManagers(), null, null);
    HttpsServer https =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    https.setHttpsConfigurator(new HttpsConfigurator(tls));
    https.createContext("/ok", ex -> respond(ex, 200, new byte[1]));
    https.start();
    try {
      String url = "https://127.0.0.1:" + https.getAddress().getPort() + "/ok";

      assertThatThrownBy(() -> bound("timeout=10s").apply(url))
          .isInstanceOf(IOException.class)
          .isNotInstanceOf(HttpTimeoutException.class)
          .hasMessageContaining(url)
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    } finally {
      https.stop(0);
    }
  }

  /**
   * A worker that gives up on an item interrupts its thread: the GET ends then, not at its timeout.
   */
  @Test
  void httpGet_interruptEndsTheGet() throws Exception {
    ItemFunction f = bound("timeout=20s");
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread getter =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    f.apply(url("/hang"));
                  } catch (Exception e) {
                    thrown.set(e);
                  }
                });
    assertThat(HANGING.await(10, TimeUnit.SECONDS)).isTrue();

    getter.interrupt();

    assertThat(getter.join(Duration.ofSeconds(5))).isTrue();
    assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
  }

  @Test
  void httpGet_slowResponseTimesOut() {
    ItemFunction f = bound("timeout=200ms");
    long start = System.nanoTime();

    assertThatThrownBy(() -> f.apply(url("/slow")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("timed out")
        .hasMessageContaining("200 ms")
        .hasMessageContaining("/slow");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(150L, 9_000L);
  }

  /**
   * A server that answers one GET per connection with keep-alive, then closes the connection
   * without a word when the next GET comes on it: what a server closing idle connections does. Each
   * GET goes out on the pooled connection first and must be sent again on a new one.
   */
  @Test
  @org.junit.jupiter.api.Timeout(30)
  void httpGet_aPooledConnectionTheServerClosed_getIsSentAgainOnAnother() throws Exception {
    try (RawHttpServer server =
        new RawHttpServer(
            (socket, n) -> {
              RawHttpServer.answer(
                  socket,
                  "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok");
              socket.getInputStream().read(); // the next GET on this connection: closed unanswered
            })) {
      String url = server.uri("/again").toString();
      ItemFunction get = bound();
      for (int i = 0; i < 5; i++) {
        HttpGetTask.Fetch fetch = (HttpGetTask.Fetch) get.apply(url);
        assertThat(fetch.status()).as("GET %d", i).isEqualTo(200);
        assertThat(fetch.bytes()).isEqualTo(2);
      }
      assertThat(server.gets.get()).as("connections that carried a GET").isGreaterThanOrEqualTo(5);
    }
  }

  @Test
  void httpGet_closedPortRefused() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }

    int closedPort = port;
    assertThatThrownBy(() -> bound().apply("http://127.0.0.1:" + closedPort + "/x"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("connection refused")
        .hasMessageContaining("127.0.0.1:" + closedPort);
  }

  @ParameterizedTest
  @ValueSource(strings = {"not a url", "http://", "http://exa mple.com/"})
  void httpGet_badUrl(String item) {
    assertThatThrownBy(() -> bound().apply(item))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad URL")
        .hasMessageContaining(item.trim());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"ftp://127.0.0.1/file", "file:///etc/passwd", "mailto:a@b.c", "example.com/page"})
  void httpGet_nonHttpSchemeRefused(String item) {
    assertThatThrownBy(() -> bound().apply(item))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + item + "'")
        .hasMessageContaining("only http and https");
  }

  @Test
  void httpGet_urlWithoutHostRefused() {
    assertThatThrownBy(() -> bound().apply("http:///path"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'http:///path'")
        .hasMessageContaining("no host");
  }

  @Test
  void httpGet_unknownParamRefused() {
    assertThatThrownBy(() -> bound("retries=3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'retries'")
        .hasMessageContaining("known: timeout");
  }

  @Test
  void httpGet_badTimeoutRefused() {
    assertThatThrownBy(() -> bound("timeout=soon"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeout")
        .hasMessageContaining("'soon'");
  }

  /**
   * Task.bind promises to refuse bad parameters up front so the coordinator refuses the job before
   * queuing; a zero timeout is accepted by bind but then makes every single item fail inside
   * HttpRequest.Builder.timeout.
   */
  @Test
  void httpGet_zeroTimeoutRefusedByBind() {
    assertThatThrownBy(() -> bound("timeout=0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeout");
  }

  @Test
  void httpGet_aGetTheClientLosesEndsAsTimedOutAndIsAborted() {
    // Jetty's own timeout ends a GET first; this is what happens when it does not.
    AtomicReference<Throwable> aborted = new AtomicReference<>();
    URI item = URI.create("http://127.0.0.1:1/lost");
    assertThatThrownBy(
            () ->
                HttpGetClient.answer(
                    new java.util.concurrent.CompletableFuture<Object>(),
                    TimeUnit.MILLISECONDS.toNanos(50),
                    aborted::set,
                    item,
                    Duration.ofMillis(40)))
        .isInstanceOf(HttpTimeoutException.class)
        .hasMessage("timed out after 40 ms: " + item);
    assertThat(aborted.get()).isInstanceOf(java.util.concurrent.TimeoutException.class);
  }

  @Test
  void httpGet_anAnswerInTimeIsReturned() throws Exception {
    AtomicReference<Throwable> aborted = new AtomicReference<>();
    assertThat(
            HttpGetClient.answer(
                java.util.concurrent.CompletableFuture.completedFuture("ok"),
                TimeUnit.SECONDS.toNanos(1),
                aborted::set,
                URI.create("http://127.0.0.1:1/"),
                Duration.ofSeconds(1)))
        .isEqualTo("ok");
    assertThat(aborted.get()).isNull();
  }
}
