package dev.crew.coordinator;

import com.hazelcast.map.IMap;
import dev.crew.common.Job;
import dev.crew.common.JobState;
import dev.crew.common.TaskResult;
import dev.crew.common.ledger.TaskLedger;
import dev.crew.common.view.JobCounts;

/** How far a job has got, counted from its recorded results, read and unread. */
record JobProgress(Job job, long tasksDone, long ok, long failed) {

  /** Counts {@code job}'s results from the ledger, or the archive once its blocks are gone. */
  static JobProgress of(Job job, IMap<String, TaskResult> results, TaskLedger ledger) {
    return of(job, JobCounts.of(job.id(), results, ledger.tally(job.id())));
  }

  static JobProgress of(Job job, JobCounts counts) {
    return new JobProgress(job, counts.tasksDone(), counts.ok(), counts.failed());
  }

  /**
   * The stored state, or {@code DONE} once every task has a result even if no coordinator was there
   * to say so.
   */
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
