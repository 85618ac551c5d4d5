package dev.crew.deploy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A worker's {@code /metrics} page read while a test waits on it: a gauge or counter's value by
 * name and labels. (ObserveIT checks the page with the Prometheus client's own parser.)
 */
final class WorkerMetrics {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private WorkerMetrics() {}

  /** The page of the worker serving HTTP on {@code port} of loopback, or "" while it does not. */
  static String scrape(int port) {
    try {
      return HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /**
   * The value of the first sample of {@code name} with every label of {@code labels} (name, value,
   * name, value...), or -1 when the page has none.
   */
  static double value(String page, String name, String... labels) {
    StringBuilder regex = new StringBuilder("^").append(Pattern.quote(name)).append("\\{");
    for (int i = 0; i + 1 < labels.length; i += 2) {
      regex
          .append("(?=[^}]*\\b")
          .append(Pattern.quote(labels[i] + "=\"" + labels[i + 1] + "\""))
          .append(")");
    }
    regex.append("[^}]*\\} (\\S+)$");
    Matcher m = Pattern.compile(regex.toString(), Pattern.MULTILINE).matcher(page);
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }
}
