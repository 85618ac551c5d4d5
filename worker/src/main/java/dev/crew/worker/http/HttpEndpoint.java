package dev.crew.worker.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small read-only HTTP server on the JDK's {@code com.sun.net.httpserver}: each path answers GET
 * (and HEAD) with what its {@link Route} returns; anything else is 404 or 405. Two threads serve
 * it, so a slow scrape cannot take cores from the lanes.
 */
public final class HttpEndpoint implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HttpEndpoint.class);

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
   * Serves {@code routes} (exact paths) on {@code address}; fails with a clear message if the port
   * is taken.
   */
  public static HttpEndpoint start(InetSocketAddress address, Map<String, Route> routes) {
    HttpServer server;
    try {
      server = HttpServer.create(address, 32);
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
        Executors.newFixedThreadPool(
            2, Thread.ofPlatform().name("crew-http-", 1).daemon(true).factory());
    server.setExecutor(threads);
    server.createContext(
        "/", exchange -> handle(exchange, routes.get(exchange.getRequestURI().getPath())));
    server.start();
    return new HttpEndpoint(server, threads);
  }

  private static void handle(HttpExchange exchange, Route route) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      Reply reply;
      if (route == null) {
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
