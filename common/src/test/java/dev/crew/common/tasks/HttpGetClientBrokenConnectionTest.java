package dev.crew.common.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A GET whose connection breaks after it went out and before any answer began is sent again, on a
 * new connection, however the break shows (a reset, not only an orderly close); one whose answer
 * had begun, or that got something other than HTTP back, is not. Each test's server is a raw socket
 * that reads one GET per connection and then does what the test says.
 */
@Timeout(60)
class HttpGetClientBrokenConnectionTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private HttpGetClient client;

  @BeforeEach
  void startClient() {
    client = new HttpGetClient();
  }

  @AfterEach
  void stopClient() throws Exception {
    client.close();
  }

  /** Ends the connection with a reset (RST), not an orderly close. */
  private static void reset(Socket socket) throws IOException {
    socket.setSoLinger(true, 0);
    socket.close();
  }

  private static final String OK =
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";

  @Test
  void aConnectionResetBeforeAnyAnswer_getIsSentAgainOnANewOne() throws Exception {
    try (RawHttpServer server =
        new RawHttpServer(
            (socket, n) -> {
              if (n <= 3) {
                reset(socket);
              } else {
                RawHttpServer.answer(socket, OK);
              }
            })) {
      HttpGetTask.Fetch fetch = client.get(server.uri("/reset"), TIMEOUT);

      assertThat(fetch.status()).isEqualTo(200);
      assertThat(fetch.bytes()).isEqualTo(2);
      assertThat(server.gets.get()).as("GETs the server read").isEqualTo(4);
    }
  }

  @Test
  void aConnectionResetOnEveryTry_failsInOneLine_afterTheTries() throws Exception {
    try (RawHttpServer server = new RawHttpServer((socket, n) -> reset(socket))) {
      failsAfterEveryTry(server, "before answering");
    }
  }

  /**
   * A GET from SERVER fails in one line that says WHEN the connection broke and names the URL,
   * after every try went out. (Jetty reports a reset as an EOF or as the socket's error.)
   */
  private void failsAfterEveryTry(RawHttpServer server, String when) {
    URI uri = server.uri("/always");

    assertThatThrownBy(() -> client.get(uri, TIMEOUT))
        .isInstanceOf(HttpGetClient.BrokenConnection.class)
        .hasMessageContaining(when)
        .hasMessageEndingWith(": " + uri)
        .hasMessageNotContaining("\n");
    assertThat(server.gets.get())
        .as("GETs the server read")
        .isEqualTo(HttpGetClient.BROKEN_CONNECTION_TRIES);
  }

  @Test
  void aConnectionResetDuringTheAnswer_getIsSentAgainOnANewOne() throws Exception {
    try (RawHttpServer server =
        new RawHttpServer(
            (socket, n) -> {
              if (n == 1) {
                RawHttpServer.answer(
                    socket, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nten bytes.");
                reset(socket);
              } else {
                RawHttpServer.answer(socket, OK);
              }
            })) {
      HttpGetTask.Fetch fetch = client.get(server.uri("/half"), TIMEOUT);

      assertThat(fetch.status()).isEqualTo(200);
      assertThat(fetch.bytes()).as("bytes of the answer that ended").isEqualTo(2);
      assertThat(server.gets.get()).as("GETs the server read").isEqualTo(2);
    }
  }

  @Test
  void aConnectionResetDuringEveryAnswer_failsInOneLine_afterTheTries() throws Exception {
    try (RawHttpServer server =
        new RawHttpServer(
            (socket, n) -> {
              RawHttpServer.answer(
                  socket, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nten bytes.");
              reset(socket);
            })) {
      failsAfterEveryTry(server, "during its answer");
    }
  }

  @Test
  void anAnswerThatIsNotHttp_isNotSentAgain() throws Exception {
    try (RawHttpServer server =
        new RawHttpServer(
            (socket, n) -> RawHttpServer.answer(socket, "SSH-2.0-OpenSSH_9.2\r\n\r\n"))) {
      URI uri = server.uri("/ssh");

      assertThatThrownBy(() -> client.get(uri, TIMEOUT))
          .isInstanceOf(IOException.class)
          .isNotInstanceOf(HttpGetClient.BrokenConnection.class)
          .hasMessageEndingWith(": " + uri)
          .hasMessageNotContaining("\n");
      assertThat(server.gets.get()).as("GETs the server read").isEqualTo(1);
    }
  }

  private static final URI AT = URI.create("http://example.test:8080/a");

  private static IOException failure(Throwable cause, boolean answering) {
    return HttpGetClient.failure(cause, answering, AT, AT, TIMEOUT);
  }

  /**
   * What Jetty 12.1 was seen to fail GETs with under connection churn: each sends the GET again,
   * and says in one line whether the answer had begun.
   */
  @Test
  void jettysOwnFailuresOnABrokenConnection_sendTheGetAgain() {
    assertThat(failure(new IllegalArgumentException("newPosition > limit: (0 > -1)"), false))
        .isInstanceOf(HttpGetClient.BrokenConnection.class)
        .hasMessage("newPosition > limit: (0 > -1) (the connection broke before answering): " + AT);
    assertThat(failure(new AssertionError(), true))
        .isInstanceOf(HttpGetClient.BrokenConnection.class)
        .hasMessage("AssertionError (the connection broke during its answer): " + AT);
    assertThat(failure(new java.net.SocketException("Connection reset\nmore"), false))
        .isInstanceOf(HttpGetClient.BrokenConnection.class)
        .hasMessage("Connection reset (the connection broke before answering): " + AT);
    assertThat(failure(new java.io.EOFException(), true))
        .isInstanceOf(HttpGetClient.BrokenConnection.class)
        .hasMessage("the server closed the connection during its answer: " + AT);
  }

  /** Failures that another try would meet again, or that are the item's timeout, never go again. */
  @Test
  void refusedUnreachableTlsTimedOutOrNotHttp_doNotSendTheGetAgain() {
    List<Throwable> causes =
        List.of(
            new java.net.ConnectException("Connection refused"),
            new java.net.UnknownHostException("example.test"),
            new java.net.SocketTimeoutException("Connect timeout"),
            new java.util.concurrent.TimeoutException("Total timeout 10000 ms elapsed"),
            new javax.net.ssl.SSLHandshakeException("PKIX path building failed"),
            new org.eclipse.jetty.client.HttpResponseException("HTTP protocol violation", null),
            new OutOfMemoryError());
    for (Throwable cause : causes) {
      assertThat(failure(cause, false))
          .as("%s", cause)
          .isNotInstanceOf(HttpGetClient.BrokenConnection.class);
    }
    assertThat(failure(causes.get(0), false)).hasMessage("connection refused: example.test:8080");
    assertThat(failure(causes.get(3), false))
        .isInstanceOf(java.net.http.HttpTimeoutException.class)
        .hasMessage("timed out after 10000 ms: " + AT);
  }
}
