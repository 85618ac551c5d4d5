package dev.crew.worker.http;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;

/**
 * Where a worker serves health, metrics and the dashboard: port 0 means not at all (the default).
 * When on, it binds to loopback unless told otherwise, because the endpoint has no authentication.
 */
public record HttpOptions(String bind, int port) {
  public static final String DEFAULT_BIND = "127.0.0.1";
  public static final HttpOptions OFF = new HttpOptions(DEFAULT_BIND, 0);

  public HttpOptions {
    requireNonNull(bind, "bind");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(
          "--http-port must be between 1 and 65535 (or 0 for off), not " + port);
    }
    if (bind.isBlank()) {
      throw new IllegalArgumentException(
          "--http-bind must be an address, such as 127.0.0.1 or 0.0.0.0");
    }
  }

  public boolean enabled() {
    return port > 0;
  }

  public InetSocketAddress address() {
    return new InetSocketAddress(bind, port);
  }
}
