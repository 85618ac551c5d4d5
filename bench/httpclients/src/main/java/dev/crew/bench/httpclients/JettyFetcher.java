package dev.crew.bench.httpclients;

import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.client.HttpClient;

/** Jetty 12's HTTP client with its default thread pool; the caller's thread waits on a future. */
final class JettyFetcher implements Fetcher {
  private final HttpClient client = new HttpClient();

  JettyFetcher(int maxConnections) throws Exception {
    client.setMaxConnectionsPerDestination(maxConnections);
    client.setMaxRequestsQueuedPerDestination(Integer.MAX_VALUE);
    client.setFollowRedirects(true);
    client.setConnectTimeout(CONNECT_TIMEOUT.toMillis());
    client.start();
  }

  @Override
  public Fetched get(URI uri) throws Exception {
    AtomicLong bytes = new AtomicLong();
    CompletableFuture<Fetched> done = new CompletableFuture<>();
    client
        .newRequest(uri)
        .timeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .onResponseContent((response, chunk) -> bytes.addAndGet(chunk.remaining()))
        .send(
            result -> {
              if (result.isFailed()) {
                done.completeExceptionally(result.getFailure());
              } else {
                done.complete(new Fetched(result.getResponse().getStatus(), bytes.get()));
              }
            });
    return done.get();
  }

  @Override
  public String describe() {
    return "Jetty client " + Fetcher.versionOf("jetty");
  }

  @Override
  public void close() throws Exception {
    client.stop();
  }
}
