package dev.crew.coordinator;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.crew.common.Job;
import java.io.PrintWriter;
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
   * The stored job {@code jobId}, or a usage error (exit code 2) naming the cluster it is not in.
   */
  Job requireJob(IMap<String, Job> jobs, String jobId) {
    Job job = jobs.get(jobId);
    if (job == null) {
      throw CrewException.usage("no job '" + jobId + "' in cluster '" + options().cluster + "'");
    }
    return job;
  }
}
