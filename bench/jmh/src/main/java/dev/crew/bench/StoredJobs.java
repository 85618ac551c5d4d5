package dev.crew.bench;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.crew.common.ClusterConfigs;
import dev.crew.common.Job;
import dev.crew.common.JobSigner;
import dev.crew.common.JobState;
import dev.crew.common.Lane;
import dev.crew.common.Names;
import dev.crew.common.Params;
import dev.crew.common.Sealer;
import dev.crew.common.TaskResult;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fills a cluster with finished jobs, as weeks of use would leave them: each job's record (done,
 * 100 items in 2 tasks, one in fifty with a failed item) and what the archive keeps of its results
 * (the counts of each task, and a failed task's items and errors). The ledger's blocks of such jobs
 * have expired, so the views count them from the archive.
 *
 * <p>Usage: {@code StoredJobs HOST:PORT CLUSTER JOBS}; prints {@code stored JOBS SECONDS}.
 */
public final class StoredJobs {
  private static final int BATCH = 1_000;

  private StoredJobs() {}

  public static void main(String[] args) {
    if (args.length != 3) {
      System.err.println("stored-jobs: usage: StoredJobs HOST:PORT CLUSTER JOBS");
      System.exit(2);
    }
    int count = Integer.parseInt(args[2]);
    String secret = System.getenv("CREW_SECRET");
    // With the cluster's secret, the jobs are stored sealed, as a coordinator stores them.
    Sealer sealer = secret == null || secret.isBlank() ? null : JobSigner.of(secret).sealer();
    HazelcastInstance client =
        HazelcastClient.newHazelcastClient(
            ClusterConfigs.client(args[1], List.of(args[0]), Duration.ofSeconds(30), sealer));
    try {
      long started = System.nanoTime();
      IMap<String, Job> jobs = client.getMap(Names.JOBS);
      IMap<String, TaskResult> results = client.getMap(Names.RESULTS);
      long now = System.currentTimeMillis();
      Map<String, Job> jobBatch = new HashMap<>();
      Map<String, TaskResult> resultBatch = new HashMap<>();
      for (int i = 0; i < count; i++) {
        String id = String.format("stored-%06d", i);
        // One a minute, the newest now.
        long created = now - (count - i) * 60_000L;
        jobs(jobBatch, resultBatch, id, created, i % 50 == 0);
        if (jobBatch.size() >= BATCH || i == count - 1) {
          jobs.setAll(jobBatch);
          results.setAll(resultBatch);
          jobBatch.clear();
          resultBatch.clear();
        }
      }
      System.out.printf("stored %d %.3f%n", count, (System.nanoTime() - started) / 1e9);
    } finally {
      client.shutdown();
    }
  }

  private static void jobs(
      Map<String, Job> jobs,
      Map<String, TaskResult> results,
      String id,
      long created,
      boolean withFailure) {
    Job job =
        Job.submitting(id, "noop", Lane.CPU, Params.NONE, created)
            .queued(100, 2)
            .withState(JobState.DONE);
    jobs.put(id, job);
    results.put(Names.taskId(id, 0), TaskResult.counted(id, 0, 50, 50, 0));
    if (withFailure) {
      String[] items = new String[50];
      String[] errors = new String[50];
      String[] values = new String[50];
      for (int i = 0; i < 50; i++) {
        items[i] = Integer.toString(50 + i);
        values[i] = i == 7 ? null : "ok";
        errors[i] = i == 7 ? "bad item" : null;
      }
      results.put(
          Names.taskId(id, 1),
          new TaskResult(id, 1, 50, 50, 0, items, "bench", 1, 0, 49, 1, values, errors, false, "")
              .asConsumed());
    } else {
      results.put(Names.taskId(id, 1), TaskResult.counted(id, 1, 100, 50, 0));
    }
  }
}
