package dev.crew.coordinator;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.crew.common.Job;
import dev.crew.common.JobRecords;
import dev.crew.common.JobSigner;
import dev.crew.common.SecretFingerprint;
import java.io.PrintWriter;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * What every subcommand shares: its output streams and the cluster options, wherever on the line
 * they were given.
 */
abstract class ClusterCommandBase {
  @Spec CommandSpec spec;

  @ParentCommand Coordinator parent;

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  /** The cluster options, given before or after the subcommand's name. */
  ClusterOptions options() {
    return parent.cluster;
  }

  HazelcastInstance connect() {
    return options().connect();
  }

  /**
   * Connects to send work signed by {@code signer} (unsigned when empty): fails with exit code 5
   * and one line, nothing sent, when the cluster's workers hold another secret, since they would
   * refuse all of it.
   */
  HazelcastInstance connectToSend(Optional<JobSigner> signer) {
    HazelcastInstance hazelcast = connect();
    Optional<String> mismatch =
        SecretFingerprint.mismatch(
            hazelcast.getCluster().getMembers(), SecretFingerprint.of(signer), "this coordinator");
    if (mismatch.isPresent()) {
      hazelcast.shutdown();
      throw new CrewException(
          ExitCodes.REFUSED,
          "cluster '"
              + options().cluster
              + "' would refuse this coordinator's jobs: "
              + mismatch.get()
              + "; use the workers' secret (CREW_SECRET or --secret-file); nothing was sent");
    }
    return hazelcast;
  }

  /**
   * The stored job {@code jobId}, or a usage error (exit code 2) naming the cluster it is not in.
   */
  Job requireJob(IMap<String, Job> jobs, String jobId) {
    return JobRecords.get(jobs, jobId)
        .orElseThrow(
            () ->
                CrewException.usage(
                    (jobs.containsKey(jobId)
                            ? "the entry '" + jobId + "' is not a Crew job"
                            : "no job '" + jobId + "'")
                        + " in cluster '"
                        + options().cluster
                        + "'"));
  }
}
