package dev.crew.common.http;

import java.time.Duration;
import java.util.Map;

/**
 * The limits that keep the endpoint answering whatever its clients do: a bound on open connections,
 * a deadline for each request, for each response and for an idle connection, and a cap on a
 * request's headers.
 *
 * <p>The JDK's server reads these from system properties once, when the first server of the process
 * is created, and keeps them for every server of the process; so {@link #apply()} must run before
 * that, which {@link HttpEndpoint#start} does. A property already set (say with {@code -D} in
 * {@code CREW_JAVA_OPTS}) is left as it is.
 */
public final class ServerLimits {
  /**
   * Connections open at once; one more is closed as soon as it is accepted. Far above what probes,
   * a scraper and a few dashboards need, low enough that the connections' buffers stay small.
   */
  public static final int MAX_CONNECTIONS = 128;

  /**
   * Connections the kernel holds, handshake done, until the server's one dispatcher thread accepts
   * them. Past this the kernel drops a new connection's packets and the client tries again only
   * after a second, so a burst of {@link #MAX_CONNECTIONS} idle connections on a busy host would
   * make the next liveness probe wait that second: the queue holds several such bursts.
   */
  public static final int ACCEPT_BACKLOG = 8 * MAX_CONNECTIONS;

  /**
   * Time a client has to send its whole request from its first byte, and a new connection to send
   * that first byte: a probe sends its request at once, so a few seconds is generous.
   */
  public static final Duration REQUEST_TIME = Duration.ofSeconds(5);

  /** Time from a request read to its response sent, waiting for a busy route included. */
  static final Duration RESPONSE_TIME = Duration.ofSeconds(10);

  /**
   * Time a kept-alive connection may stay idle between requests. A scraper that comes back less
   * often only opens a new connection.
   */
  static final Duration IDLE_TIME = Duration.ofSeconds(10);

  /**
   * How often the server looks for connections past their deadline; a deadline is met within this
   * much.
   */
  public static final Duration CHECK_EVERY = Duration.ofSeconds(1);

  /**
   * Bytes of request headers; the JDK's default (380 KiB per connection) would let the bounded
   * connections hold tens of MiB of a small worker's heap.
   */
  static final int MAX_HEADER_BYTES = 16 * 1024;

  private ServerLimits() {}

  /**
   * The system properties, as the JDK's server names them, with their units: its code reads
   * maxReqTime, maxRspTime and idleInterval in seconds (its module documentation said milliseconds
   * for the first two until JDK-8387598), clockTick and timerMillis in milliseconds.
   */
  static Map<String, String> properties() {
    return Map.of(
        "jdk.httpserver.maxConnections", Integer.toString(MAX_CONNECTIONS),
        "sun.net.httpserver.maxReqTime", Long.toString(REQUEST_TIME.toSeconds()),
        "sun.net.httpserver.maxRspTime", Long.toString(RESPONSE_TIME.toSeconds()),
        "sun.net.httpserver.idleInterval", Long.toString(IDLE_TIME.toSeconds()),
        "sun.net.httpserver.clockTick", Long.toString(CHECK_EVERY.toMillis()),
        "sun.net.httpserver.timerMillis", Long.toString(CHECK_EVERY.toMillis()),
        "sun.net.httpserver.maxReqHeaderSize", Integer.toString(MAX_HEADER_BYTES));
  }

  /** Sets each property that is not set yet. */
  static void apply() {
    properties().forEach(System.getProperties()::putIfAbsent);
  }
}
