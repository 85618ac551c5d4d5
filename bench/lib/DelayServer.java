import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * A local HTTP server for the adaptive-concurrency bench: answers every GET after DELAY_MS, serving at
 * most CAPACITY requests at once and queueing the rest (0: no limit, the plain delay server). Run as a
 * single-file program: java DelayServer.java PORT CAPACITY DELAY_MS; prints "ready" once listening.
 */
public final class DelayServer {
  private DelayServer() {}

  public static void main(String[] args) throws IOException {
    // The JDK's server keeps at most 200 idle keep-alive connections and closes the rest, so a client
    // with 1,000 GETs in flight would spend its time on new connections and on GETs sent on ones
    // just closed: the bench would measure that churn, not the client. Keep them all.
    System.setProperty("sun.net.httpserver.maxIdleConnections", "1000000");
    int port = Integer.parseInt(args[0]);
    int capacity = Integer.parseInt(args[1]);
    long delayMs = Long.parseLong(args[2]);
    Semaphore serving = new Semaphore(capacity > 0 ? capacity : Integer.MAX_VALUE);
    byte[] body = "ok\n".getBytes(StandardCharsets.UTF_8);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16_384);
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            serving.acquire();
            try {
              Thread.sleep(delayMs);
            } finally {
              serving.release();
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
    System.out.println("ready");
  }
}
