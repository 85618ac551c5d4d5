package dev.crew.common.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crew.common.view.ClusterWatch;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The dashboard: a plain HTML page with its script (no build step), the chart library from its
 * WebJar, and the JSON snapshot the page polls every second. Served by a worker's endpoint and by
 * {@code coordinator dashboard} alike.
 */
public final class DashboardRoutes {
  /** Where the page loads the chart library from; the WebJar's version is pinned in the build. */
  static final String CHART_PATH = "/assets/chart.umd.min.js";

  private static final String CHART_RESOURCE =
      "META-INF/resources/webjars/chart.js/4.5.1/dist/chart.umd.min.js";

  private static final ObjectMapper JSON = new ObjectMapper();

  private DashboardRoutes() {}

  /**
   * The dashboard's paths: {@code /}, {@code /api/cluster} and the chart library; with {@code
   * hideErrors}, failed items are only counted, their item and error text left out.
   */
  public static Map<String, HttpEndpoint.Route> of(ClusterWatch watch, boolean hideErrors) {
    byte[] page = resource("dev/crew/common/http/dashboard.html");
    byte[] chart = resource(CHART_RESOURCE);
    Map<String, HttpEndpoint.Route> routes = new LinkedHashMap<>();
    HttpEndpoint.Route html = () -> new HttpEndpoint.Reply(200, "text/html; charset=utf-8", page);
    routes.put("/", html);
    routes.put("/index.html", html);
    routes.put(
        CHART_PATH, () -> new HttpEndpoint.Reply(200, "text/javascript; charset=utf-8", chart));
    routes.put(
        "/api/cluster",
        () ->
            new HttpEndpoint.Reply(
                200,
                "application/json",
                JSON.writeValueAsBytes(
                    hideErrors ? watch.read().withoutFailureText() : watch.read())));
    return routes;
  }

  private static byte[] resource(String name) {
    try (InputStream in = DashboardRoutes.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name + " (a broken build?)");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
