package dev.crew.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.aggregation.Aggregators;
import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.serialization.genericrecord.GenericRecordBuilder;
import com.hazelcast.query.Predicates;
import dev.crew.common.ClusterConfigs;
import dev.crew.common.Names;
import dev.crew.common.TaskResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Bounded job state with a real worker and coordinator processes: the workers remove a job once its
 * retention has passed, with its results; {@code purge} removes ended jobs and refuses running
 * ones; entries of the jobs map that are not jobs, planted by a plain Hazelcast client, stop none
 * of the views.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RetentionIT {
  private static final Duration RUN_TIMEOUT = Duration.ofSeconds(90);

  private final String cluster = CrewLaunchers.randomClusterName();
  private final String suffix = UUID.randomUUID().toString().substring(0, 8);
  private final String kept = "kept-" + suffix;
  private CrewLaunchers crew;
  private int base;
  private int httpPort;
  private HazelcastInstance client;
  private CrewLaunchers.Worker worker;

  @BeforeAll
  void startWorker() {
    crew = new CrewLaunchers(getClass().getSimpleName());
    crew.ensureJars();
    base = CrewLaunchers.freePortBase(2);
    httpPort = base + 1;
    worker =
        crew.startWorker(
            cluster,
            base,
            List.of("127.0.0.1:" + base),
            1,
            List.of("--http-port", Integer.toString(httpPort)));
    client =
        HazelcastClient.newHazelcastClient(
            ClusterConfigs.client(cluster, List.of("127.0.0.1:" + base), Duration.ofSeconds(30)));
  }

  @AfterAll
  void stopAll() {
    try {
      if (client != null) {
        client.shutdown();
      }
    } finally {
      if (crew != null) {
        crew.close();
      }
    }
  }

  @Test
  @Order(1)
  void retention_passed_jobAndItsResultsRemovedByTheWorker() {
    String brief = "brief-" + suffix;
    submit(kept, "--keep-results");
    submit(brief, "--keep-results", "--retention", "2s");
    assertThat(archived(brief)).isEqualTo(10);

    await("the brief job removed by the worker's sweep")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> !client.getMap(Names.JOBS).containsKey(brief) && archived(brief) == 0);

    CrewLaunchers.Run status = coordinator("status-brief", "status", brief);
    assertThat(status.exitCode()).as(status::describe).isEqualTo(2);
    assertThat(status.child().stderr()).contains("no job '" + brief + "'");
    assertThat(client.getMap(Names.JOBS).containsKey(kept)).isTrue();
    assertThat(archived(kept)).isEqualTo(10);
  }

  @Test
  @Order(2)
  void purge_runningJobRefused_endedJobsRemoved() {
    String running = "running-" + suffix;
    CrewLaunchers.Run detached =
        coordinator(
            "submit-" + running,
            "submit",
            "sleep",
            "--range",
            "60000..60000",
            "--job-id",
            running,
            "--detach");
    assertThat(detached.exitCode()).as(detached::describe).isZero();

    CrewLaunchers.Run refused = coordinator("purge-running", "purge", "--job", running);

    assertThat(refused.exitCode()).as(refused::describe).isEqualTo(2);
    assertThat(refused.programStderrLines())
        .contains(
            "coordinator: job "
                + running
                + " is running and may still run: not purged (cancel"
                + " it first)",
            "coordinator: nothing was purged");
    assertThat(client.getMap(Names.JOBS).containsKey(running)).isTrue();

    CrewLaunchers.Run older = coordinator("purge-older", "purge", "--older-than", "1h");

    assertThat(older.exitCode()).as(older::describe).isZero();
    assertThat(older.stdoutLines()).containsExactly("purged 0 jobs, 0 archived results");
    assertThat(client.getMap(Names.JOBS).containsKey(kept)).isTrue();

    CrewLaunchers.Run all = coordinator("purge-all", "purge", "--all-finished");

    assertThat(all.exitCode()).as(all::describe).isZero();
    assertThat(all.stdoutLines())
        .anyMatch(line -> line.startsWith("purged job " + kept + " (done, ended "))
        .noneMatch(line -> line.contains(running));
    assertThat(client.getMap(Names.JOBS).containsKey(kept)).isFalse();
    assertThat(archived(kept)).isZero();
    assertThat(client.getMap(Names.JOBS).containsKey(running)).isTrue();

    CrewLaunchers.Run cancel = coordinator("cancel-" + running, "cancel", running);
    assertThat(cancel.exitCode()).as(cancel::describe).isZero();
    CrewLaunchers.Run purged = coordinator("purge-cancelled", "purge", "--job", running);
    assertThat(purged.exitCode()).as(purged::describe).isZero();
    assertThat(purged.stdoutLines()).contains("purged 1 jobs, 0 archived results");
    assertThat(client.getMap(Names.JOBS).containsKey(running)).isFalse();
  }

  @Test
  @Order(3)
  void foreignEntries_plantedByPlainClient_viewsStillAnswer() throws Exception {
    String real = "real-" + suffix;
    submit(real);
    ClientConfig plain = new ClientConfig();
    plain.setClusterName(cluster);
    plain.getNetworkConfig().addAddress("127.0.0.1:" + base);
    HazelcastInstance attacker = HazelcastClient.newHazelcastClient(plain);
    try {
      IMap<Object, Object> jobs = attacker.getMap(Names.JOBS);
      jobs.set("not-a-job", "hello");
      jobs.set(42, "a number for a key");
      jobs.set(
          "foreign-type",
          GenericRecordBuilder.compact("evil.Thing").setInt32("payload", 1).build());
      // Crew's type name with another layout: it does not read as a job.
      jobs.set("half-a-job", GenericRecordBuilder.compact("crew.Job").setString("id", "x").build());
    } finally {
      attacker.shutdown();
    }
    String skipped =
        "(4 entries of the jobs map are not Crew jobs or not signed with the cluster secret: skipped)";

    CrewLaunchers.Run status = coordinator("status-foreign", "status");
    assertThat(status.exitCode()).as(status::describe).isZero();
    assertThat(status.stdoutLines())
        .anyMatch(line -> line.startsWith(real + " "))
        .contains(skipped);

    CrewLaunchers.Run jobsView = coordinator("jobs-foreign", "jobs");
    assertThat(jobsView.exitCode()).as(jobsView::describe).isZero();
    assertThat(jobsView.stdoutLines())
        .anyMatch(line -> line.trim().startsWith(real + " "))
        .contains(skipped);

    CrewLaunchers.Run clusterView = coordinator("cluster-foreign", "cluster");
    assertThat(clusterView.exitCode()).as(clusterView::describe).isZero();

    HttpResponse<String> dashboard =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/api/cluster"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(dashboard.statusCode()).isEqualTo(200);
    assertThat(dashboard.body()).contains("\"foreignJobs\":4").contains("\"" + real + "\"");

    // The worker still takes and runs jobs, and its sweep says what it skipped, once.
    submit("after-" + suffix);
    String logged = "4 entries of the jobs map this member owns are not Crew jobs";
    await("the worker's sweep logging the entries it skipped")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> worker.child().stderr().contains(logged));
    assertThat(worker.child().stderr().split(logged, -1)).hasSize(2);
  }

  private void submit(String jobId, String... extra) {
    String[] args =
        java.util.stream.Stream.concat(
                java.util.stream.Stream.of(
                    "submit", "noop", "--range", "1..10", "--chunk", "5", "--job-id", jobId),
                java.util.Arrays.stream(extra))
            .toArray(String[]::new);
    CrewLaunchers.Run run = coordinator("submit-" + jobId, args);
    assertThat(run.exitCode()).as(run::describe).isZero();
  }

  private CrewLaunchers.Run coordinator(String label, String... args) {
    String[] all = new String[args.length + 4];
    all[0] = "--connect";
    all[1] = "127.0.0.1:" + base;
    all[2] = "--cluster";
    all[3] = cluster;
    System.arraycopy(args, 0, all, 4, args.length);
    return crew.coordinator(label, RUN_TIMEOUT, all);
  }

  /** How many of the job's results the archive holds, summed over items. */
  private long archived(String jobId) {
    IMap<String, TaskResult> results = client.getMap(Names.RESULTS);
    Long items =
        results.aggregate(Aggregators.integerSum("count"), Predicates.equal("jobId", jobId));
    return items == null ? 0 : items;
  }
}
