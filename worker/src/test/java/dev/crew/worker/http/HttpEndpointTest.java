package dev.crew.worker.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HttpEndpointTest {
  private final HttpClient client = HttpClient.newHttpClient();
  private HttpEndpoint endpoint;

  @AfterEach
  void stop() {
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
}
