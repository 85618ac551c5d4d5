package dev.crew.bench.httpclients;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Vert.x core's HTTP client on its own event loops; the caller's thread waits on the future. */
final class VertxFetcher implements Fetcher {
  private final Vertx vertx = Vertx.vertx();
  private final HttpClientAgent client;

  VertxFetcher(int maxConnections) {
    client =
        vertx.createHttpClient(
            new HttpClientOptions().setConnectTimeout((int) CONNECT_TIMEOUT.toMillis()),
            new PoolOptions().setHttp1MaxSize(maxConnections).setMaxWaitQueueSize(-1));
  }

  @Override
  public Fetched get(URI uri) throws Exception {
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setAbsoluteURI(uri.toString())
            .setFollowRedirects(true)
            .setIdleTimeout(TIMEOUT.toMillis());
    return client
        .request(options)
        .compose(request -> request.send())
        .compose(
            response -> {
              AtomicLong bytes = new AtomicLong();
              response.handler(chunk -> bytes.addAndGet(chunk.length()));
              return response.end().map(done -> new Fetched(response.statusCode(), bytes.get()));
            })
        .toCompletionStage()
        .toCompletableFuture()
        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public String describe() {
    return "Vert.x core " + Fetcher.versionOf("vertx");
  }

  @Override
  public void close() throws Exception {
    client.close().toCompletionStage().toCompletableFuture().get();
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }
}
