package dev.crew.coordinator;

import static dev.crew.coordinator.CoordinatorCliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.crew.coordinator.CoordinatorCliTest.Run;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --lane auto} through the CLI on an embedded worker: the built-in tasks declare their
 * lanes, and auto finds the same ones from what their first items measure.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LaneAutoCliTest {

  private static void assertChose(Run run, String lane) {
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.err())
        .as(run.err())
        .containsPattern("; lane auto: " + lane + " \\(items \\d+% on CPU, 2 measured\\)\n");
  }

  @Test
  void fib_computes_cpuLane() {
    assertChose(run("run", "fib", "--range", "30..35", "--lane", "auto"), "cpu");
  }

  @Test
  void sumSquares_computes_cpuLane() {
    assertChose(
        run("run", "sum-squares", "--range", "30000000..30000020", "--lane", "auto"), "cpu");
  }

  @Test
  void sleep_waits_ioLane(@TempDir Path dir) throws Exception {
    Path input = Files.writeString(dir.resolve("in.txt"), "200\n".repeat(10));

    assertChose(run("run", "sleep", "--input", input.toString(), "--lane", "auto"), "io");
  }

  @Test
  void httpGet_waits_ioLane(@TempDir Path dir) throws Exception {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext(
        "/",
        exchange -> {
          try {
            Thread.sleep(200); // a slow server: the GET mostly waits
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/x\n";
      Path input = Files.writeString(dir.resolve("urls.txt"), url.repeat(10));

      assertChose(run("run", "http-get", "--input", input.toString(), "--lane", "auto"), "io");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void fib_withoutLaneAuto_saysNothingOfLanes() {
    Run run = run("run", "fib", "--range", "1..5");

    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.err()).doesNotContain("lane auto");
  }
}
