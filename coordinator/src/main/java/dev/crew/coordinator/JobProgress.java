package dev.crew.coordinator;

import com.hazelcast.aggregation.Aggregators;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import dev.crew.common.Job;
import dev.crew.common.JobState;
import dev.crew.common.TaskResult;

/** How far a job has got, counted from its recorded results. */
record JobProgress(Job job, long tasksDone, long ok, long failed) {

  static JobProgress of(Job job, IMap<String, TaskResult> results) {
    var ofJob = Predicates.<String, TaskResult>equal("jobId", job.id());
    long tasks = results.aggregate(Aggregators.count(), ofJob);
    if (tasks == 0) {
      return new JobProgress(job, 0, 0, 0);
    }
    long ok = results.aggregate(Aggregators.integerSum("ok"), ofJob);
    long failed = results.aggregate(Aggregators.integerSum("failed"), ofJob);
    return new JobProgress(job, tasks, ok, failed);
  }

  /** The stored state, or {@code DONE} once every task has a result even if no coordinator was there to say so. */
  JobState state() {
    if (job.state() == JobState.RUNNING && job.totalsKnown() && tasksDone >= job.totalTasks()) {
      return JobState.DONE;
    }
    return job.state();
  }

  String done() {
    return (ok + failed) + "/" + (job.totalsKnown() ? Long.toString(job.totalItems()) : "?");
  }
}
