package dev.crew.client.job;

import dev.crew.client.ClusterView;
import java.util.List;

/** The workers a broadcast job runs on: every worker that offers its task when it starts. */
public final class BroadcastTargets {
  private BroadcastTargets() {}

  /** The workers of {@code view} that offer {@code task}, by name. */
  public static List<JobRun.Target> of(ClusterView view, String task) {
    return view.workers().stream()
        .filter(worker -> worker.tasks().containsKey(task))
        .map(worker -> new JobRun.Target(worker.member(), worker.name()))
        .toList();
  }
}
