package dev.crew.coordinator;

import com.hazelcast.core.HazelcastInstance;
import dev.crew.common.view.ClusterSnapshot;
import dev.crew.common.view.ClusterWatch;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code coordinator cluster}: every worker's live numbers, and the tasks queued per lane. */
@Command(
    name = "cluster",
    header =
        "Show the workers (host, cores, lane slots busy/free, items done, items/s) and the lane queue depths.",
    description = {
      "REQ, REF and DUP count the tasks a worker requeued after losing a worker, the jobs and tasks it refused",
      "for their signature, and the late duplicate results it dropped."
    },
    mixinStandardHelpOptions = true)
final class ClusterCommand extends ClusterCommandBase implements Callable<Integer> {

  @Override
  public Integer call() {
    HazelcastInstance hazelcast = connect();
    try {
      ClusterSnapshot snapshot =
          new ClusterWatch(hazelcast, options().cluster, 0, System::currentTimeMillis).read();
      out().println(SnapshotText.summary(snapshot));
      if (!snapshot.workers().isEmpty()) {
        SnapshotText.workers(snapshot).forEach(out()::println);
      }
      SnapshotText.queues(snapshot).forEach(out()::println);
      out().flush();
      return ExitCodes.OK;
    } finally {
      hazelcast.shutdown();
    }
  }
}
