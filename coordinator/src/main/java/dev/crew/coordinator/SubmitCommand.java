package dev.crew.coordinator;

import com.hazelcast.core.HazelcastInstance;
import dev.crew.common.JobSigner;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code coordinator submit}: a job on a running cluster. */
@Command(
    name = "submit",
    header = "Submit a job to the cluster and stream its results as JSON lines.",
    description = {
      "Examples:",
      "  coordinator submit fib --range 20..35 --ordered",
      "  coordinator submit http-get --input urls.txt --param timeout=5s --out sizes.jsonl",
      "  seq 1 1000000 | coordinator submit sum-squares --input - --reduce sum"
    },
    mixinStandardHelpOptions = true,
    sortOptions = false)
final class SubmitCommand extends ClusterCommandBase implements Callable<Integer> {

  @Mixin JobOptions job;

  @Option(
      names = "--detach",
      description = "Print the job id once it is queued, and exit; the job goes on.")
  boolean detach;

  @Override
  public Integer call() throws Exception {
    HazelcastInstance[] client = new HazelcastInstance[1];
    Optional<JobSigner> signer = options().signer();
    try {
      return new JobLauncher(job, out(), err())
          .launch(
              checked -> {
                client[0] = connectToSend(signer);
                return client[0];
              },
              detach,
              /* embedded= */ false,
              signer.orElse(null));
    } finally {
      if (client[0] != null) {
        client[0].shutdown();
      }
    }
  }
}
