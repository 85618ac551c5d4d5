package dev.crew.coordinator;

import com.hazelcast.core.HazelcastInstance;
import dev.crew.common.http.AllowedHosts;
import dev.crew.common.http.DashboardRoutes;
import dev.crew.common.http.HttpEndpoint;
import dev.crew.common.view.ClusterWatch;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code coordinator dashboard}: serves the web dashboard from this client until stopped. */
@Command(
    name = "dashboard",
    header =
        "Serve the web dashboard (workers, jobs, throughput, failures) from here until Ctrl-C.",
    description = "It reads the cluster as a client; no worker needs an HTTP port for it.",
    mixinStandardHelpOptions = true)
final class DashboardCommand extends ClusterCommandBase implements Callable<Integer> {

  @Option(
      names = "--port",
      defaultValue = "8080",
      description = "Port to serve on (default ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--bind",
      paramLabel = "ADDR",
      defaultValue = "127.0.0.1",
      description =
          "Address to listen on (default ${DEFAULT-VALUE}; the page has no authentication).")
  String bind;

  @Option(
      names = "--allowed-host",
      split = ",",
      paramLabel = "NAME",
      description = {
        "A name the page answers to besides localhost, IP addresses and the --bind name; repeatable.",
        "Any other Host is answered 421, so a web page cannot reach it by DNS rebinding."
      })
  List<String> allowedHosts = List.of();

  @Option(
      names = "--hide-errors",
      description = "Show failed items only as counted failures, with no item or error text.")
  boolean hideErrors;

  @Override
  public Integer call() throws InterruptedException {
    if (port < 1 || port > 65535) {
      throw CrewException.usage("--port must be between 1 and 65535, not " + port);
    }
    AllowedHosts hosts;
    try {
      hosts = AllowedHosts.of(bind, allowedHosts);
    } catch (IllegalArgumentException e) {
      throw CrewException.usage("--allowed-host: " + e.getMessage());
    }
    HazelcastInstance hazelcast = connect();
    CountDownLatch stopped = new CountDownLatch(1);
    HttpEndpoint endpoint;
    try {
      endpoint =
          HttpEndpoint.start(
              new InetSocketAddress(bind, port),
              hosts,
              Map.of(),
              DashboardRoutes.of(
                  new ClusterWatch(hazelcast, options().cluster, 20, System::currentTimeMillis),
                  hideErrors));
    } catch (IllegalStateException e) {
      hazelcast.shutdown();
      throw CrewException.usage(e.getMessage());
    }
    Runtime.getRuntime()
        .addShutdownHook(
            Thread.ofPlatform()
                .unstarted(
                    () -> {
                      endpoint.close();
                      stopped.countDown();
                    }));
    err()
        .printf(
            "dashboard of cluster '%s' at http://%s:%d/ (Ctrl-C stops)%n",
            options().cluster, bind, endpoint.port());
    err().flush();
    stopped.await();
    return ExitCodes.OK;
  }
}
