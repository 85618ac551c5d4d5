package dev.crew.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * {@code submit --broadcast}: three real workers ({@code bin/worker}), each on a host of its own (a
 * network namespace with its own address and host name), and the coordinator on a fourth. Every
 * worker runs every item and says which worker it is; a worker killed mid-broadcast ({@code kill
 * -9}) is reported in its items' errors, and the other two complete.
 */
@Tag("faults")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BroadcastIT {
  private static final int WORKERS = 3;
  private static final int COORDINATOR_HOST = WORKERS + 1;
  private static final Duration JOB_TIMEOUT = Duration.ofMinutes(2);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String cluster = CrewLaunchers.randomClusterName();
  private final Map<String, String> env = Map.of("CREW_SECRET", "broadcast-" + cluster);
  private CrewLaunchers crew;
  private PrivateHosts hosts;
  private final List<CrewLaunchers.Worker> workers = new ArrayList<>();

  /** Each worker's host name, by worker name ({@code host:port}). */
  private final Map<String, String> hostNames = new HashMap<>();

  @BeforeAll
  void startThreeHosts() {
    crew = new CrewLaunchers(getClass().getSimpleName());
    crew.ensureJars();
    hosts = PrivateHosts.create(crew.home(), COORDINATOR_HOST);
    String join = String.join(",", hosts.ip(1), hosts.ip(2), hosts.ip(3));
    for (int host = 1; host <= WORKERS; host++) {
      String hostName = "crew-host-" + host;
      CrewLaunchers.Child child =
          crew.startBehind(
              hosts.on(host, hostName),
              "worker-" + host,
              "bin/worker",
              List.of(
                  "--cluster",
                  cluster,
                  "--join",
                  join,
                  "--bind",
                  hosts.ip(host),
                  "--port",
                  "5701",
                  "--allow-exec",
                  "--cpu-threads",
                  "2",
                  "--lease-timeout",
                  "3s",
                  "--heartbeat",
                  "500ms",
                  "--drain-timeout",
                  "5s"),
              env);
      // One at a time: each joins the cluster of those before it.
      CrewLaunchers.Worker worker = CrewLaunchers.awaitJoined(child, cluster, 5701, host);
      workers.add(worker);
      hostNames.put(worker.name(), hostName);
    }
    await("every worker seeing " + WORKERS + " members")
        .atMost(CrewLaunchers.START_TIMEOUT)
        .until(
            () ->
                workers.stream()
                    .allMatch(
                        w ->
                            w.child().stderr().contains("the cluster has " + WORKERS + " members")
                                || w.child().stderr().contains(": " + WORKERS + " members")));
  }

  @AfterAll
  void stop() {
    try {
      if (crew != null) {
        crew.close();
      }
    } finally {
      if (hosts != null) {
        hosts.close();
      }
    }
  }

  @Test
  @Order(1)
  void hostname_everyWorkerAnswersEveryItem_withItsOwnHostName() throws Exception {
    CrewLaunchers.Run run =
        submit(
            "hostname",
            "exec",
            "--broadcast",
            "--param",
            "cmd=sh -c hostname {}",
            "--range",
            "1..2");

    assertThat(run.exitCode()).as(run::describe).isZero();
    Map<String, List<JsonNode>> byWorker = byWorker(run);
    assertThat(byWorker.keySet()).as(run::describe).isEqualTo(hostNames.keySet());
    byWorker.forEach(
        (worker, lines) -> {
          assertThat(lines).extracting(l -> l.get("index").asLong()).containsExactly(0L, 1L);
          for (JsonNode line : lines) {
            assertThat(line.get("result").get("stdout").asText().strip())
                .as("host name reported by %s", worker)
                .isEqualTo(hostNames.get(worker));
          }
        });
    assertThat(String.join("\n", run.stderrLines()))
        .contains("coordinator: broadcast to 3 workers: ")
        .contains("6 ok, 0 failed");
  }

  @Test
  @Order(2)
  void sha256_ofOnePath_onEveryWorker() throws Exception {
    Path file = Files.createTempFile(crew.logDir(), "same-everywhere", ".txt");
    Files.writeString(file, "one file, three hosts\n");
    Path input = crew.logDir().resolve("paths.txt");
    Files.writeString(input, file + "\n");
    String expected =
        HexFormat.of()
            .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));

    CrewLaunchers.Run run = submit("sha256", "sha256", "--broadcast", "--input", input.toString());

    assertThat(run.exitCode()).as(run::describe).isZero();
    Map<String, List<JsonNode>> byWorker = byWorker(run);
    assertThat(byWorker.keySet()).isEqualTo(hostNames.keySet());
    byWorker
        .values()
        .forEach(
            lines ->
                assertThat(lines)
                    .singleElement()
                    .satisfies(
                        line -> assertThat(line.get("result").asText()).isEqualTo(expected)));
  }

  @Test
  @Order(3)
  void workerKilledMidBroadcast_reportedInItsItems_theOthersComplete() throws Exception {
    int items = 160;
    Path input = crew.logDir().resolve("sleeps.txt");
    Files.writeString(input, "100\n".repeat(items));
    CrewLaunchers.Worker victim = workers.get(WORKERS - 1); // never the oldest, which reaps
    CrewLaunchers.Child coordinator =
        crew.startBehind(
            hosts.on(COORDINATOR_HOST, "crew-coordinator"),
            "submit-kill",
            "bin/coordinator",
            args(
                "sleep",
                "--broadcast",
                "--lane",
                "cpu",
                "--chunk",
                "1",
                "--input",
                input.toString()),
            env);
    // The victim has run a few of its items: kill it for real.
    await("the victim's first results")
        .atMost(JOB_TIMEOUT)
        .until(() -> coordinator.stdout().split("\"worker\":\"" + victim.name() + "\"").length > 6);
    victim.child().process().descendants().forEach(ProcessHandle::destroyForcibly);
    victim.child().process().destroyForcibly();

    CrewLaunchers.Run run = crew.awaitCoordinator(coordinator, JOB_TIMEOUT);

    assertThat(run.exitCode()).as("items failed: exit code 1%n%s", run.describe()).isEqualTo(1);
    Map<String, List<JsonNode>> byWorker = byWorker(run);
    assertThat(byWorker.keySet()).isEqualTo(hostNames.keySet());
    byWorker.forEach(
        (worker, lines) -> {
          Map<Long, Integer> perIndex = new TreeMap<>();
          lines.forEach(l -> perIndex.merge(l.get("index").asLong(), 1, Integer::sum));
          assertThat(perIndex).as("items of %s, each once", worker).hasSize(items);
          assertThat(perIndex.values()).allMatch(n -> n == 1);
        });
    for (CrewLaunchers.Worker survivor : workers.subList(0, WORKERS - 1)) {
      assertThat(byWorker.get(survivor.name()))
          .allSatisfy(line -> assertThat(line.get("result").asLong()).isEqualTo(100));
    }
    List<JsonNode> victims = byWorker.get(victim.name());
    long ran = victims.stream().filter(l -> l.has("result")).count();
    List<String> errors =
        victims.stream().filter(l -> l.has("error")).map(l -> l.get("error").asText()).toList();
    assertThat(ran).as("items the victim ran before it died").isGreaterThanOrEqualTo(6);
    assertThat(errors)
        .as("the victim's other items")
        .isNotEmpty()
        .allSatisfy(e -> assertThat(e).contains("its worker left the cluster"));
    assertThat(ran + errors.size()).isEqualTo(items);
    for (CrewLaunchers.Worker survivor : workers.subList(0, WORKERS - 1)) {
      assertThat(survivor.child().process().isAlive()).as(survivor::describe).isTrue();
    }
  }

  private List<String> args(String task, String... more) {
    List<String> args = new ArrayList<>(List.of("submit", task));
    args.addAll(List.of(more));
    args.addAll(
        List.of(
            "--connect",
            String.join(",", hosts.ip(1), hosts.ip(2), hosts.ip(3)),
            "--cluster",
            cluster,
            "--no-progress"));
    return args;
  }

  private CrewLaunchers.Run submit(String label, String task, String... more) {
    CrewLaunchers.Child child =
        crew.startBehind(
            hosts.on(COORDINATOR_HOST, "crew-coordinator"),
            "submit-" + label,
            "bin/coordinator",
            args(task, more),
            env);
    return crew.awaitCoordinator(child, JOB_TIMEOUT);
  }

  /** The run's result lines by worker, in index order. */
  private static Map<String, List<JsonNode>> byWorker(CrewLaunchers.Run run) {
    Map<String, List<JsonNode>> byWorker = new TreeMap<>();
    for (String line : run.stdoutLines()) {
      JsonNode node;
      try {
        node = JSON.readTree(line);
      } catch (IOException e) {
        throw new UncheckedIOException("not a JSON line: " + line, e);
      }
      byWorker.computeIfAbsent(node.get("worker").asText(), w -> new ArrayList<>()).add(node);
    }
    byWorker
        .values()
        .forEach(
            lines ->
                lines.sort(
                    (a, b) -> Long.compare(a.get("index").asLong(), b.get("index").asLong())));
    return byWorker;
  }
}
