package dev.crew.worker;

import com.hazelcast.core.HazelcastInstance;
import dev.crew.common.ClusterConfigs;
import dev.crew.common.EmbeddedWorker;
import dev.crew.common.JobSigner;
import dev.crew.common.TaskCatalog;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/** The worker module's {@link EmbeddedWorker.Factory}: a {@link Worker} on a private cluster. */
public final class EmbeddedWorkers implements EmbeddedWorker.Factory {

  @Override
  public EmbeddedWorker start(
      int cpuThreads, int ioConcurrency, JobSigner signer, TaskCatalog tasks) {
    Worker worker = Worker.start(settings(cpuThreads, ioConcurrency, signer), tasks);
    return new EmbeddedWorker() {
      @Override
      public HazelcastInstance hazelcast() {
        return worker.hazelcast();
      }

      @Override
      public void close() {
        worker.close();
      }
    };
  }

  /**
   * A private one-member cluster on loopback that no other member can join, running only jobs
   * signed by {@code signer}, and allowed to run commands: they would run as the user who started
   * this process.
   *
   * @throws IllegalArgumentException if a number is out of range
   */
  public static Worker.Settings settings(int cpuThreads, int ioConcurrency, JobSigner signer) {
    return new Worker.Settings(
        new ClusterConfigs.Membership(
            "crew-run-" + UUID.randomUUID(), List.of(), false, "127.0.0.1", 5701, true),
        cpuThreads,
        ioConcurrency,
        /* backups= */ 0,
        Duration.ofSeconds(5),
        Worker.Settings.DEFAULT_LEASE_TIMEOUT,
        Worker.Settings.DEFAULT_HEARTBEAT,
        new Worker.Security(signer, /* allowExec= */ true));
  }
}
