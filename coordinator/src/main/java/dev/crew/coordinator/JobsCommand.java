package dev.crew.coordinator;

import com.hazelcast.core.HazelcastInstance;
import dev.crew.common.view.ClusterSnapshot;
import dev.crew.common.view.ClusterWatch;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code coordinator jobs}: the most recent jobs with their progress, rate and failures. */
@Command(
    name = "jobs",
    header =
        "Show the recent jobs: state, progress, items/s, failures, and the latest failed items.",
    description =
        "ITEMS/S of a running job is its average since it was submitted; 'top' shows the live rate.",
    mixinStandardHelpOptions = true)
final class JobsCommand extends ClusterCommandBase implements Callable<Integer> {

  @Option(
      names = "--last",
      paramLabel = "N",
      defaultValue = "20",
      description = "How many jobs (default ${DEFAULT-VALUE}).")
  int last;

  @Override
  public Integer call() {
    if (last < 1) {
      throw CrewException.usage("--last must be at least 1, not " + last);
    }
    HazelcastInstance hazelcast = connect();
    try {
      ClusterSnapshot snapshot =
          new ClusterWatch(hazelcast, options().cluster, last, System::currentTimeMillis).read();
      if (snapshot.jobs().isEmpty()) {
        out().println("no jobs in cluster '" + options().cluster + "'");
      } else {
        SnapshotText.jobs(snapshot).forEach(out()::println);
        SnapshotText.failuresAndEvents(snapshot, 10).forEach(out()::println);
      }
      out().flush();
      return ExitCodes.OK;
    } finally {
      hazelcast.shutdown();
    }
  }
}
