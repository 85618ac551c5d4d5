package dev.crew.common.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.crew.common.TerminalText;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small read-only HTTP server on the JDK's {@code com.sun.net.httpserver}: each path answers GET
 * (and HEAD) with what its {@link Route} returns; anything else is 404 or 405, and a request whose
 * {@code Host} is not one of its {@link AllowedHosts} is 421 before anything else is looked at.
 *
 * <p>Each request is read and answered on its own virtual thread, so a client that sends half a
 * request holds only a parked thread until the deadlines of {@link ServerLimits} close its
 * connection. Probes (the health paths) are answered at once; pages (metrics, the dashboard) one at
 * a time, so that scrapes and dashboards together take at most one core from the lanes and never
 * delay a probe.
 */
public final class HttpEndpoint implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HttpEndpoint.class);

  /** The whole answer to a request for a host that is not allowed: nothing about the worker. */
  public static final String MISDIRECTED =
      "misdirected: not a host name of this endpoint (see --http-allowed-host)\n";

  /** How long a page request waits for the one running before it is answered 503. */
  static final Duration PAGE_WAIT = Duration.ofSeconds(2);

  /** What one path answers. */
  @FunctionalInterface
  public interface Route {
    Reply answer() throws IOException;
  }

  /** One answer: status, content type, body. */
  public record Reply(int status, String contentType, byte[] body) {
    public static Reply text(int status, String text) {
      return new Reply(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }
  }

  private final HttpServer server;
  private final ExecutorService threads;

  private HttpEndpoint(HttpServer server, ExecutorService threads) {
    this.server = server;
    this.threads = threads;
  }

  /**
   * Serves {@code pages} (exact paths), none of them as a probe, to requests for loopback, an IP
   * address or the bound name.
   */
  public static HttpEndpoint start(InetSocketAddress address, Map<String, Route> pages) {
    return start(address, Map.of(), pages);
  }

  /**
   * Serves {@code probes} and {@code pages} (exact paths) to requests for loopback, an IP address
   * or the bound name.
   */
  public static HttpEndpoint start(
      InetSocketAddress address, Map<String, Route> probes, Map<String, Route> pages) {
    return start(address, AllowedHosts.of(address.getHostString(), List.of()), probes, pages);
  }

  /** Serves what {@code options} says: its address, and the hosts it allows. */
  public static HttpEndpoint start(
      HttpOptions options, Map<String, Route> probes, Map<String, Route> pages) {
    return start(options.address(), options.hosts(), probes, pages);
  }

  /**
   * Serves {@code probes} and {@code pages} (exact paths) on {@code address} to requests for {@code
   * hosts}; fails with a clear message if the port is taken.
   */
  public static HttpEndpoint start(
      InetSocketAddress address,
      AllowedHosts hosts,
      Map<String, Route> probes,
      Map<String, Route> pages) {
    ServerLimits.apply();
    HttpServer server;
    try {
      server = HttpServer.create(address, ServerLimits.ACCEPT_BACKLOG);
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot serve HTTP on "
              + address.getHostString()
              + ":"
              + address.getPort()
              + ": "
              + e.getMessage(),
          e);
    }
    ExecutorService threads =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("crew-http-", 1).factory());
    server.setExecutor(threads);
    Map<String, Route> routes = new HashMap<>();
    Semaphore pageSlot = new Semaphore(1);
    pages.forEach((path, page) -> routes.put(path, oneAtATime(page, pageSlot)));
    routes.putAll(probes);
    server.createContext("/", exchange -> handle(exchange, hosts, routes));
    server.start();
    return new HttpEndpoint(server, threads);
  }

  /**
   * {@code page}, answered only while it holds {@code slot}; 503 if the slot stays taken for {@link
   * #PAGE_WAIT}.
   */
  private static Route oneAtATime(Route page, Semaphore slot) {
    return () -> {
      try {
        if (!slot.tryAcquire(PAGE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
          return Reply.text(503, "busy: another page is being served, try again\n");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Reply.text(503, "stopping\n");
      }
      try {
        return page.answer();
      } finally {
        slot.release();
      }
    };
  }

  private static void handle(HttpExchange exchange, AllowedHosts hosts, Map<String, Route> routes)
      throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      Route route = routes.get(exchange.getRequestURI().getPath());
      List<String> host = exchange.getRequestHeaders().get("Host");
      Reply reply;
      if (!hosts.allows(host)) {
        log.debug(
            "HTTP request for host {} refused (not an allowed host)",
            TerminalText.of(String.valueOf(host)));
        reply = Reply.text(421, MISDIRECTED);
      } else if (route == null) {
        reply = Reply.text(404, "not found: " + exchange.getRequestURI().getPath() + "\n");
      } else if (!method.equals("GET") && !method.equals("HEAD")) {
        reply = Reply.text(405, "only GET and HEAD\n");
      } else {
        try {
          reply = route.answer();
        } catch (IOException | RuntimeException e) {
          log.debug("HTTP {} failed: {}", exchange.getRequestURI(), e.toString());
          reply = Reply.text(500, "error: " + e.getMessage() + "\n");
        }
      }
      // Written after the page slot is released: a client that reads slowly holds only its own
      // thread, until the response deadline closes its connection.
      exchange.getResponseHeaders().set("Content-Type", reply.contentType());
      exchange.getResponseHeaders().set("Cache-Control", "no-store");
      boolean head = method.equals("HEAD");
      exchange.sendResponseHeaders(
          reply.status(), head ? -1 : reply.body().length == 0 ? -1 : reply.body().length);
      if (!head && reply.body().length > 0) {
        exchange.getResponseBody().write(reply.body());
      }
    }
  }

  /** The port it listens on (the one chosen by the system when 0 was asked for). */
  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
