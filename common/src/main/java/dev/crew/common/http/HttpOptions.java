package dev.crew.common.http;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * Where a worker serves health, metrics and the dashboard: port 0 means not at all (the default).
 * When on, it binds to loopback unless told otherwise, because the endpoint has no authentication.
 *
 * @param allowedHosts names a request's {@code Host} may carry besides those {@link AllowedHosts}
 *     always allows
 * @param hideErrors show failed items in the dashboard only as counted failures, without their item
 *     or error text
 */
public record HttpOptions(String bind, int port, List<String> allowedHosts, boolean hideErrors) {
  public static final String DEFAULT_BIND = "127.0.0.1";
  public static final HttpOptions OFF = new HttpOptions(DEFAULT_BIND, 0);

  public HttpOptions {
    requireNonNull(bind, "bind");
    allowedHosts = List.copyOf(allowedHosts);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(
          "--http-port must be between 1 and 65535 (or 0 for off), not " + port);
    }
    if (bind.isBlank()) {
      throw new IllegalArgumentException(
          "--http-bind must be an address, such as 127.0.0.1 or 0.0.0.0");
    }
    try {
      AllowedHosts.of(bind, allowedHosts); // refused at the start, not at the first request
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--http-allowed-host: " + e.getMessage(), e);
    }
  }

  /** Bound to {@code bind}, with only the hosts always allowed, and failures shown in full. */
  public HttpOptions(String bind, int port) {
    this(bind, port, List.of(), /* hideErrors= */ false);
  }

  public boolean enabled() {
    return port > 0;
  }

  public InetSocketAddress address() {
    return new InetSocketAddress(bind, port);
  }

  /** The {@code Host} headers the endpoint answers. */
  public AllowedHosts hosts() {
    return AllowedHosts.of(bind, allowedHosts);
  }
}
