package dev.crew.bench.httpclients;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelOption;
import java.net.URI;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/** Reactor Netty's HTTP client with its own connection pool; the caller's thread blocks on it. */
final class ReactorNettyFetcher implements Fetcher {
  private final ConnectionProvider pool;
  private final HttpClient client;

  ReactorNettyFetcher(int maxConnections) {
    pool =
        ConnectionProvider.builder("bench")
            .maxConnections(maxConnections)
            .pendingAcquireMaxCount(-1)
            .build();
    client =
        HttpClient.create(pool)
            .followRedirect(true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT.toMillis())
            .responseTimeout(TIMEOUT);
  }

  @Override
  public Fetched get(URI uri) {
    return client
        .get()
        .uri(uri)
        .response(
            (response, body) ->
                body.map(ByteBuf::readableBytes)
                    .reduce(0L, (sum, n) -> sum + n)
                    .map(bytes -> new Fetched(response.status().code(), bytes)))
        .single()
        .block(TIMEOUT);
  }

  @Override
  public String describe() {
    return "Reactor Netty " + Fetcher.versionOf("reactor-netty");
  }

  @Override
  public void close() {
    pool.dispose();
  }
}
