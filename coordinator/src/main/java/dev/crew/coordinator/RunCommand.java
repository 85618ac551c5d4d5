package dev.crew.coordinator;

import dev.crew.common.ClusterSecret;
import dev.crew.common.EmbeddedWorker;
import dev.crew.common.IoConcurrency;
import dev.crew.common.JobSigner;
import dev.crew.common.TaskCatalog;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code coordinator run}: a job on an embedded in-process worker, nothing else to start. */
@Command(
    name = "run",
    header = "Run a job here, on an in-process worker that uses every core; nothing else to start.",
    description = {
      "The same as 'submit', against a private one-member cluster that lives as long as the job.",
      "Examples:",
      "  coordinator run fib --range 20..35 --ordered",
      "  coordinator run sleep --input delays.txt",
      "  coordinator run sum-squares --range 1..200 --reduce sum"
    },
    mixinStandardHelpOptions = true,
    sortOptions = false)
final class RunCommand extends ClusterCommandBase implements Callable<Integer> {

  @Mixin JobOptions job;

  @Option(
      names = "--cpu-threads",
      paramLabel = "N",
      description = "CPU lane threads of the in-process worker (default: every core).")
  int cpuThreads = Runtime.getRuntime().availableProcessors();

  @Option(
      names = "--io-concurrency",
      paramLabel = "auto|N",
      defaultValue = "1000",
      description =
          "I/O lane items in flight in the in-process worker: auto adapts, a number fixes it"
              + " (default ${DEFAULT-VALUE}).")
  String ioConcurrency;

  @Override
  public Integer call() throws Exception {
    EmbeddedWorker[] worker = new EmbeddedWorker[1];
    JobSigner signer = JobSigner.of(ClusterSecret.random());
    try {
      return new JobLauncher(job, out(), err())
          .launch(
              checked -> {
                worker[0] = embed(cpuThreads, IoConcurrency.option(ioConcurrency), signer);
                return worker[0].hazelcast();
              },
              /* detach= */ false,
              /* embedded= */ true,
              signer);
    } finally {
      if (worker[0] != null) {
        worker[0].close();
      }
    }
  }

  /**
   * A worker in this process, on a private one-member cluster on loopback that no other member can
   * join, running only jobs signed by {@code signer}, and allowed to run commands: they would run
   * as the user who typed this one.
   */
  static EmbeddedWorker embed(int cpuThreads, int ioConcurrency, JobSigner signer) {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    try {
      return EmbeddedWorker.start(
          cpuThreads, ioConcurrency, signer, TaskCatalog.load(loader), loader);
    } catch (IllegalArgumentException e) {
      throw CrewException.usage(e.getMessage());
    }
  }
}
