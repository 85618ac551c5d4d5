package dev.crew.bench.httpclients;

import dev.crew.common.ItemFunction;
import dev.crew.common.Params;
import dev.crew.common.tasks.HttpGetTask;
import java.net.URI;
import java.util.List;

/** The http-get task itself, with its default timeout and its own shared client. */
final class TaskFetcher implements Fetcher {
  private final ItemFunction get = new HttpGetTask().bind(Params.parse(List.of()));

  @Override
  public Fetched get(URI uri) throws Exception {
    HttpGetTask.Fetch fetch = (HttpGetTask.Fetch) get.apply(uri.toString());
    return new Fetched(fetch.status(), fetch.bytes());
  }

  @Override
  public String describe() {
    return "http-get task (Jetty client " + Fetcher.versionOf("jetty") + ")";
  }

  @Override
  public void close() {}
}
