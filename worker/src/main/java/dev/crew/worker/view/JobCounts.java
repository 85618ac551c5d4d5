package dev.crew.worker.view;

import com.hazelcast.aggregation.Aggregators;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import dev.crew.common.TaskResult;
import dev.crew.common.ledger.JobTally;

/**
 * How many of a job's tasks have a recorded result, and how many of its items succeeded and failed.
 */
public record JobCounts(long tasksDone, long ok, long failed) {

  /**
   * Counts the job's results in the archive of delivered results (the results map), with
   * aggregations: nothing but three numbers comes back.
   */
  public static JobCounts of(String jobId, IMap<String, TaskResult> results) {
    var ofJob = Predicates.<String, TaskResult>equal("jobId", jobId);
    long tasks = results.aggregate(Aggregators.count(), ofJob);
    if (tasks == 0) {
      return new JobCounts(0, 0, 0);
    }
    long ok = results.aggregate(Aggregators.integerSum("ok"), ofJob);
    long failed = results.aggregate(Aggregators.integerSum("failed"), ofJob);
    return new JobCounts(tasks, ok, failed);
  }

  /**
   * A job's counts: the ledger's {@code tally}, which counts every result it holds, read or not;
   * the archive's only for a job whose blocks are gone (cancelled, or past their time to live).
   */
  public static JobCounts of(String jobId, IMap<String, TaskResult> results, JobTally tally) {
    if (tally.stored() > 0) {
      return new JobCounts(tally.done(), tally.itemsOk(), tally.itemsFailed());
    }
    return of(jobId, results);
  }

  public long done() {
    return ok + failed;
  }
}
