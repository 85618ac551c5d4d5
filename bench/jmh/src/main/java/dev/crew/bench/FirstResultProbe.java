package dev.crew.bench;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.core.HazelcastInstance;
import dev.crew.client.job.ChunkPlanner;
import dev.crew.client.job.JobRun;
import dev.crew.client.job.Outcome;
import dev.crew.client.job.Progress;
import dev.crew.client.job.RangeSource;
import dev.crew.client.job.ResultHandler;
import dev.crew.common.ClusterConfigs;
import dev.crew.common.Job;
import dev.crew.common.JobSigner;
import dev.crew.common.Lane;
import dev.crew.common.Params;
import dev.crew.common.TaskResult;
import java.time.Duration;
import java.util.List;

/**
 * First-result latency from a warm coordinator: the coordinator's own job code ({@link JobRun}, as
 * {@code submit} runs it) submitting one-item no-op jobs one after another from one JVM, so every
 * job after the first finds the client connected, its classes loaded and its code compiled. {@code
 * bin/coordinator submit} starts a new JVM per job; the difference between the two is what a cold
 * coordinator costs.
 *
 * <p>Usage: {@code FirstResultProbe HOST:PORT CLUSTER JOBS} (cluster secret in {@code CREW_SECRET},
 * if any); prints one line per job: {@code first-result cold|warm SECONDS}, the time from
 * submitting to the first result.
 */
public final class FirstResultProbe {
  private FirstResultProbe() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("first-result-probe: usage: FirstResultProbe HOST:PORT CLUSTER JOBS");
      System.exit(2);
    }
    int jobs = Integer.parseInt(args[2]);
    String secret = System.getenv("CREW_SECRET");
    JobSigner signer = secret == null || secret.isBlank() ? null : JobSigner.of(secret);
    HazelcastInstance client =
        HazelcastClient.newHazelcastClient(
            ClusterConfigs.client(
                args[1],
                List.of(args[0]),
                Duration.ofSeconds(30),
                // With the cluster's secret, what it stores is sealed, as a coordinator's is.
                signer == null ? null : signer.sealer()));
    try {
      for (int i = 0; i < jobs; i++) {
        FirstArrival first = new FirstArrival();
        Job job =
            Job.submitting(
                    JobRun.newJobId("noop"),
                    "noop",
                    Lane.CPU,
                    Params.NONE,
                    System.currentTimeMillis())
                .withPolicy(2, 0);
        first.submitted = System.nanoTime();
        Outcome outcome =
            new JobRun(client)
                .run(
                    job,
                    new RangeSource(1, 1),
                    ChunkPlanner.auto(1, 1, Duration.ofMillis(200)),
                    first,
                    Progress.NONE,
                    new JobRun.Options(false, false, 1, signer));
        if (outcome.ok() != 1 || first.arrived == 0) {
          throw new IllegalStateException(
              "job " + job.id() + " did not deliver its one result: " + outcome);
        }
        System.out.printf(
            "first-result %s %.6f%n",
            i == 0 ? "cold" : "warm", (first.arrived - first.submitted) / 1e9);
      }
    } finally {
      client.shutdown();
    }
  }

  /** Notes when the first result reaches the coordinator. */
  private static final class FirstArrival implements ResultHandler {
    long submitted;
    long arrived;

    @Override
    public void accept(TaskResult result) {
      if (arrived == 0) {
        arrived = System.nanoTime();
      }
    }
  }
}
