package dev.crew.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * What a person sees of a running cluster, tried as a new user would: a real worker with its HTTP
 * endpoint on, a real job, then the dashboard in headless Chromium, {@code /metrics} through the
 * Prometheus client's own parser, and {@code coordinator top} in a tmux terminal. Chromium, tmux
 * and python3-prometheus-client come from Debian ({@code bin/test} installs them); without them
 * these tests fail.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ObserveIT {
  private static final String CHROMIUM = "/usr/bin/chromium";
  private static final String TMUX = "/usr/bin/tmux";
  private static final String PYTHON = "/usr/bin/python3";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String cluster = CrewLaunchers.randomClusterName();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private CrewLaunchers crew;
  private CrewLaunchers.Worker worker;
  private int httpPort;
  private String jobId;

  @BeforeAll
  void startWorkerAndRunJob() throws IOException {
    crew = new CrewLaunchers(getClass().getSimpleName());
    crew.ensureJars();
    int base = CrewLaunchers.freePortBase(2);
    httpPort = base + 1;
    worker =
        crew.startWorker(
            cluster,
            base,
            List.of("127.0.0.1:" + base),
            1,
            List.of("--http-port", Integer.toString(httpPort)));
    // 200 good items and 3 bad ones: the counters must say exactly that.
    List<String> items =
        new ArrayList<>(
            IntStream.rangeClosed(1, 200).mapToObj(i -> Integer.toString(i % 25)).toList());
    items.addAll(List.of("abc", "-1", "x"));
    Path input = Files.write(crew.logDir().resolve("fib-input.txt"), items);
    CrewLaunchers.Run run =
        crew.coordinator(
            "fib",
            CrewLaunchers.RUN_TIMEOUT,
            "submit",
            "fib",
            "--input",
            input.toString(),
            "--retries",
            "0",
            "--connect",
            worker.name(),
            "--cluster",
            cluster);
    assertThat(run.exitCode()).as(run::describe).isEqualTo(1);
    Matcher job =
        Pattern.compile("job (\\S+): 200 ok, 3 failed")
            .matcher(String.join("\n", run.stderrLines()));
    assertThat(job.find()).as(run::describe).isTrue();
    jobId = job.group(1);
  }

  @AfterAll
  void stop() {
    if (crew != null) {
      crew.close();
    }
  }

  @Test
  void health_liveAndReadyOnAJoinedWorker() throws Exception {
    assertThat(get("/health/live").statusCode()).isEqualTo(200);
    HttpResponse<String> ready = get("/health/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).contains("ready");
    assertThat(get("/no/such/path").statusCode()).isEqualTo(404);
  }

  @Test
  void metrics_parseAsPrometheusTextAndCountTheJob() throws Exception {
    requireTool(PYTHON, "python3-prometheus-client");
    HttpResponse<String> metrics = get("/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    Process parser =
        new ProcessBuilder(PYTHON, resource("prometheus_samples.py").toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    parser.getOutputStream().write(metrics.body().getBytes(StandardCharsets.UTF_8));
    parser.getOutputStream().close();
    List<JsonNode> samples = new ArrayList<>();
    for (String line :
        new String(parser.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
            .lines()
            .toList()) {
      samples.add(JSON.readTree(line));
    }
    assertThat(parser.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(parser.exitValue())
        .as("the Prometheus parser's exit code (python3-prometheus-client missing?)")
        .isZero();

    assertThat(sample(samples, "crew_items_total", "task", "fib", "outcome", "ok"))
        .isEqualTo(200.0);
    assertThat(sample(samples, "crew_items_total", "task", "fib", "outcome", "failed"))
        .isEqualTo(3.0);
    assertThat(sample(samples, "crew_item_seconds_count", "task", "fib")).isPositive();
    assertThat(sample(samples, "crew_item_seconds_bucket", "task", "fib", "le", "+Inf"))
        .isEqualTo(sample(samples, "crew_item_seconds_count", "task", "fib"));
    assertThat(sample(samples, "crew_lane_slots", "lane", "cpu")).isPositive();
    assertThat(sample(samples, "crew_lane_utilisation", "lane", "io")).isBetween(0.0, 1.0);
    assertThat(sample(samples, "crew_queue_depth", "lane", "cpu")).isNotNegative();
    // The depth is the ledger's, read at most once a second; a test before this one may have just
    // cancelled a job whose tasks its worker forgets as it meets them.
    await("no task queued on the cpu lane")
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(
            () ->
                assertThat(get("/metrics").body())
                    .containsPattern("(?m)^crew_queue_depth\\{lane=\"cpu\"[^}]*\\} 0\\.0$"));
    assertThat(sample(samples, "crew_lease_requeues_total")).isZero();
    assertThat(sample(samples, "crew_duplicates_dropped_total")).isZero();
    assertThat(sample(samples, "crew_refused_total")).isZero();
    assertThat(samples).anyMatch(s -> s.get("name").asText().equals("jvm_memory_used_bytes"));
  }

  @Test
  void dashboard_showsTheWorkerAndTheJobsProgressInChromium() throws Exception {
    requireTool(CHROMIUM, "chromium");
    String url = "http://127.0.0.1:" + httpPort + "/";
    String dom = chromium("--dump-dom", url);
    assertThat(dom).contains("data-worker=\"" + worker.name() + "\"");
    Matcher row =
        Pattern.compile("<tr data-job=\"" + Pattern.quote(jobId) + "\">(.*?)</tr>").matcher(dom);
    assertThat(row.find()).as("a row for job %s in:\n%s", jobId, dom).isTrue();
    assertThat(row.group(1)).contains("203/203", "100%", "done");
    assertThat(dom).contains("not an integer: 'abc'");

    Path screenshot = crew.logDir().resolve("dashboard.png");
    chromium("--screenshot=" + screenshot, "--window-size=1280,860", url);
    assertThat(screenshot).exists();
    assertThat(Files.size(screenshot)).as("screenshot size").isGreaterThan(10_000);
  }

  @Test
  void coordinatorDashboard_servesThePageAndTheClusterFromAClient() throws Exception {
    int port = CrewLaunchers.freePortBase(1);
    CrewLaunchers.Child dashboard =
        crew.startCoordinator(
            "dashboard",
            "dashboard",
            "--port",
            Integer.toString(port),
            "--connect",
            worker.name(),
            "--cluster",
            cluster);
    try {
      HttpRequest api =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/cluster")).build();
      await("coordinator dashboard answering")
          .atMost(CrewLaunchers.START_TIMEOUT)
          .pollInterval(Duration.ofMillis(300))
          .ignoreExceptions()
          .untilAsserted(
              () ->
                  assertThat(http.send(api, HttpResponse.BodyHandlers.ofString()).statusCode())
                      .isEqualTo(200));
      JsonNode snapshot =
          JSON.readTree(http.send(api, HttpResponse.BodyHandlers.ofString()).body());
      assertThat(snapshot.get("workers").get(0).get("name").asText()).isEqualTo(worker.name());
      assertThat(snapshot.get("jobs").findValuesAsText("id")).contains(jobId);
      HttpResponse<String> page =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(page.body()).contains("<title>Crew</title>", "assets/chart.umd.min.js");
    } finally {
      crew.stop(dashboard);
    }
  }

  @Test
  void top_showsLiveNumbersInATerminalAndQuitsOnQ() throws Exception {
    requireTool(TMUX, "tmux");
    // A job that runs for a while (two cpu slots, 200 ms an item: 10 items/s), so the numbers move
    // while top is on
    // screen; cancelled at the end.
    Path delays =
        Files.write(
            crew.logDir().resolve("delays.txt"), java.util.Collections.nCopies(1000, "200"));
    CrewLaunchers.Child slow =
        crew.startCoordinator(
            "slow",
            "submit",
            "sleep",
            "--input",
            delays.toString(),
            "--lane",
            "cpu",
            "--chunk",
            "1",
            "--connect",
            worker.name(),
            "--cluster",
            cluster,
            "--job-id",
            "slow-" + cluster);
    String socket = "crew-" + cluster;
    String command =
        crew.home().resolve("bin/coordinator")
            + " --connect "
            + worker.name()
            + " --cluster "
            + cluster
            + " top --interval 500ms; echo TOP-EXITED $?; sleep 300";
    run(TMUX, "-L", socket, "new-session", "-d", "-x", "160", "-y", "40", command);
    try {
      long[] first = new long[1];
      await("top showing the worker doing work")
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(
              () -> {
                String screen = capture(socket);
                assertThat(screen).contains("slow-" + cluster);
                first[0] = itemsDone(screen, worker.name());
                assertThat(first[0]).as(screen).isPositive();
              });
      await("top's numbers moving")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(
              () -> assertThat(itemsDone(capture(socket), worker.name())).isGreaterThan(first[0]));
      run(TMUX, "-L", socket, "send-keys", "-t", "0", "q");
      await("top quitting on q")
          .atMost(Duration.ofSeconds(15))
          .pollInterval(Duration.ofMillis(300))
          .untilAsserted(() -> assertThat(capture(socket)).contains("TOP-EXITED 0"));
    } finally {
      new ProcessBuilder(TMUX, "-L", socket, "kill-server").start().waitFor(10, TimeUnit.SECONDS);
      crew.coordinator(
          "cancel",
          CrewLaunchers.RUN_TIMEOUT,
          "cancel",
          "slow-" + cluster,
          "--connect",
          worker.name(),
          "--cluster",
          cluster);
      crew.stop(slow);
    }
  }

  /** The ITEMS DONE column of the worker's line on top's screen. */
  private static long itemsDone(String screen, String workerName) {
    for (String line : screen.lines().toList()) {
      String[] columns = line.trim().split("\\s+");
      if (columns.length > 5 && columns[0].equals(workerName)) {
        return Long.parseLong(columns[5]);
      }
    }
    return -1;
  }

  private String capture(String socket) throws IOException, InterruptedException {
    return run(TMUX, "-L", socket, "capture-pane", "-p", "-t", "0");
  }

  private static double sample(List<JsonNode> samples, String name, String... labels) {
    List<JsonNode> matching =
        samples.stream()
            .filter(s -> s.get("name").asText().equals(name))
            .filter(
                s -> {
                  for (int i = 0; i < labels.length; i += 2) {
                    JsonNode value = s.get("labels").get(labels[i]);
                    if (value == null || !value.asText().equals(labels[i + 1])) {
                      return false;
                    }
                  }
                  return true;
                })
            .toList();
    assertThat(matching).as("samples %s %s", name, List.of(labels)).hasSize(1);
    return matching.get(0).get("value").asDouble();
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
            .timeout(Duration.ofSeconds(20))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private String chromium(String... args) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory(crew.logDir(), "chromium-profile");
    List<String> command =
        new ArrayList<>(
            List.of(
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-quic",
                "--no-first-run",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile,
                // The port is free, not chosen: Chromium refuses some (6665-6669, 6697, ...) with
                // ERR_UNSAFE_PORT and then dumps an empty page.
                "--explicitly-allowed-ports=" + httpPort,
                "--virtual-time-budget=5000"));
    command.addAll(List.of(args));
    return run(command.toArray(String[]::new));
  }

  /** Runs a command to its end (at most two minutes) and returns its standard output. */
  private String run(String... command) throws IOException, InterruptedException {
    Path err = Files.createTempFile(crew.logDir(), "tool", ".err");
    Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
    process.getOutputStream().close();
    String out;
    try (InputStream in = process.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    if (!process.waitFor(2, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish in 2 minutes");
    }
    assertThat(process.exitValue())
        .as("%s failed:\n%s", String.join(" ", command), CrewLaunchers.read(err))
        .isZero();
    return out;
  }

  /**
   * A missing tool fails the test: bin/test installs it (bin/lib/prereqs.sh); nothing is skipped.
   */
  private static void requireTool(String path, String debianPackage) {
    assertThat(Files.isExecutable(Path.of(path)))
        .as(
            "%s is missing: bin/test installs the Debian package %s when run as root",
            path, debianPackage)
        .isTrue();
  }

  private static Path resource(String name) {
    try {
      return Path.of(ObserveIT.class.getClassLoader().getResource(name).toURI());
    } catch (Exception e) {
      throw new IllegalStateException("missing test resource " + name, e);
    }
  }
}
