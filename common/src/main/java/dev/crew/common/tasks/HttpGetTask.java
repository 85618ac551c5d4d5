package dev.crew.common.tasks;

import dev.crew.common.ItemFunction;
import dev.crew.common.Lane;
import dev.crew.common.Params;
import dev.crew.common.Task;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Fetches a URL with GET and reports its status, body size and time; an HTTP error status is a
 * result, not a failure.
 */
public final class HttpGetTask implements Task {
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  /** What one GET returned. */
  public record Fetch(int status, long bytes, long ms) {}

  /**
   * One client for every item: it pools connections per host, and a client per item would exhaust
   * file descriptors.
   */
  private static final class Shared {
    static final HttpGetClient CLIENT = new HttpGetClient();
  }

  @Override
  public String name() {
    return "http-get";
  }

  @Override
  public Lane lane() {
    return Lane.IO;
  }

  @Override
  public String description() {
    return "GET a URL; result: {status, bytes, ms} (item: http(s) URL; param timeout=30s)";
  }

  @Override
  public ItemFunction bind(Params params) {
    params.allowOnly(name(), "timeout");
    Duration timeout = params.getDuration("timeout", DEFAULT_TIMEOUT);
    if (timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("parameter timeout must be more than 0");
    }
    return ItemFunction.keyed(item -> Shared.CLIENT.get(parse(item), timeout), HttpGetTask::target);
  }

  /**
   * The host an item calls, as {@code scheme://host:port} with the scheme's port when it names
   * none, so each host gets its own limit; null for an item that is not a URL we fetch, which fails
   * when it runs.
   */
  static @Nullable String target(String item) {
    URI uri;
    try {
      uri = parse(item);
    } catch (IllegalArgumentException e) {
      return null;
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
    return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
  }

  static URI parse(String item) {
    String text = item.trim();
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("bad URL '" + text + "': " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("bad URL '" + text + "': only http and https are fetched");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("bad URL '" + text + "': no host");
    }
    return uri;
  }
}
