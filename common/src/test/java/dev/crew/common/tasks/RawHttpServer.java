package dev.crew.common.tasks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw-socket HTTP server for tests of what http-get does with connections: it reads one GET per
 * connection, counts it, and does what its {@link Conduct} says (answer, reset, close).
 */
final class RawHttpServer implements AutoCloseable {
  /** What the server does with connection number N (from 1) once it has read its GET. */
  @FunctionalInterface
  interface Conduct {
    void after(Socket socket, int n) throws IOException;
  }

  /** GETs read, one per connection that sent one. */
  final AtomicInteger gets = new AtomicInteger();

  private final ServerSocket listener;
  private final ExecutorService serving = Executors.newVirtualThreadPerTaskExecutor();

  RawHttpServer(Conduct conduct) throws IOException {
    listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    serving.submit(
        () -> {
          while (!listener.isClosed()) {
            Socket socket = listener.accept();
            serving.submit(
                () -> {
                  try (socket) {
                    var in =
                        new BufferedReader(
                            new InputStreamReader(
                                socket.getInputStream(), StandardCharsets.US_ASCII));
                    String line = in.readLine();
                    while (line != null && !line.isEmpty()) {
                      line = in.readLine();
                    }
                    if (line == null) {
                      return null; // closed by the client without a GET
                    }
                    conduct.after(socket, gets.incrementAndGet());
                  }
                  return null;
                });
          }
          return null;
        });
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + listener.getLocalPort() + path);
  }

  /** Writes ANSWER, as is, on SOCKET. */
  static void answer(Socket socket, String answer) throws IOException {
    socket.getOutputStream().write(answer.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
  }

  @Override
  public void close() throws IOException {
    listener.close(); // ends the accepting loop
    serving.shutdownNow(); // interrupts reads on connections the client keeps open
  }
}
