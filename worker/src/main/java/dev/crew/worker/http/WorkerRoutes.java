package dev.crew.worker.http;

import dev.crew.common.http.DashboardRoutes;
import dev.crew.common.http.HttpEndpoint;
import dev.crew.common.view.ClusterWatch;
import dev.crew.worker.Worker;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A worker's HTTP paths: {@code /health/live}, {@code /health/ready} (200 once joined with its
 * lanes running, 503 otherwise), {@code /metrics} in Prometheus text format, and the dashboard.
 */
public final class WorkerRoutes {
  /** The Prometheus text exposition format that Micrometer's scrape writes by default. */
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private WorkerRoutes() {}

  /** The health paths, which answer at once and never wait for a page. */
  public static Map<String, HttpEndpoint.Route> probes(Worker worker) {
    Map<String, HttpEndpoint.Route> routes = new LinkedHashMap<>();
    routes.put("/health/live", () -> HttpEndpoint.Reply.text(200, "live\n"));
    routes.put(
        "/health/ready",
        () ->
            worker.ready()
                ? HttpEndpoint.Reply.text(200, "ready\n")
                : HttpEndpoint.Reply.text(
                    503, "not ready: not joined, or its lanes are stopped\n"));
    return routes;
  }

  /**
   * The metrics and the dashboard; with {@code hideErrors}, the dashboard shows no failed item's
   * text.
   */
  public static Map<String, HttpEndpoint.Route> pages(
      Worker worker, String cluster, boolean hideErrors) {
    Map<String, HttpEndpoint.Route> routes = new LinkedHashMap<>();
    routes.put(
        "/metrics",
        () ->
            new HttpEndpoint.Reply(
                200,
                PROMETHEUS_TEXT,
                worker
                    .meters()
                    .prometheus()
                    .orElseThrow()
                    .scrape()
                    .getBytes(StandardCharsets.UTF_8)));
    routes.putAll(
        DashboardRoutes.of(
            new ClusterWatch(worker.hazelcast(), cluster, 20, System::currentTimeMillis),
            hideErrors));
    return routes;
  }
}
