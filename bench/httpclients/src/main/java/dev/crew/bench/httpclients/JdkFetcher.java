package dev.crew.bench.httpclients;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** java.net.http, set up and called exactly as HttpGetTask does. */
final class JdkFetcher implements Fetcher {
  private final HttpClient client =
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NORMAL)
          .connectTimeout(CONNECT_TIMEOUT)
          .build();

  @Override
  public Fetched get(URI uri) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build();
    HttpResponse<InputStream> response =
        client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = response.body()) {
      return new Fetched(response.statusCode(), body.transferTo(OutputStream.nullOutputStream()));
    }
  }

  @Override
  public String describe() {
    return "JDK java.net.http " + Runtime.version().feature();
  }

  @Override
  public void close() {
    client.close();
  }
}
