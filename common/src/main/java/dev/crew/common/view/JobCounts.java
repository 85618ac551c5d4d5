package dev.crew.common.view;

import com.hazelcast.aggregation.Aggregators;
import com.hazelcast.map.IMap;
import com.hazelcast.projection.Projections;
import com.hazelcast.query.Predicates;
import dev.crew.common.Job;
import dev.crew.common.TaskResult;
import dev.crew.common.ledger.JobTally;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

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

  /**
   * The counts of each of {@code jobs}: from its {@code tallies} entry while the ledger holds its
   * results, otherwise from the archive, where one query counts every such job (one per job cost a
   * view of the 50 newest jobs about 100 queries).
   */
  public static Map<String, JobCounts> of(
      Collection<Job> jobs, IMap<String, TaskResult> results, Map<String, JobTally> tallies) {
    Map<String, JobCounts> counts = new HashMap<>();
    Set<String> archived = new HashSet<>();
    for (Job job : jobs) {
      JobTally tally = tallies.getOrDefault(job.id(), JobTally.EMPTY);
      if (tally.stored() > 0) {
        counts.put(job.id(), new JobCounts(tally.done(), tally.itemsOk(), tally.itemsFailed()));
      } else {
        archived.add(job.id());
      }
    }
    if (archived.isEmpty()) {
      return counts;
    }
    Map<String, long[]> sums = new HashMap<>();
    try {
      for (Object[] row :
          results.project(
              Projections.multiAttribute("jobId", "ok", "failed"),
              Predicates.in("jobId", archived.toArray(String[]::new)))) {
        if (row[0] instanceof String jobId
            && archived.contains(jobId)
            && row[1] instanceof Number ok
            && row[2] instanceof Number failed) {
          long[] sum = sums.computeIfAbsent(jobId, id -> new long[3]);
          sum[0]++;
          sum[1] += ok.longValue();
          sum[2] += failed.longValue();
        }
      }
    } catch (RuntimeException e) {
      // A value in the archive that is not a result (anyone can put one there) fails the query as
      // a whole: count job by job, with aggregations.
      for (String jobId : archived) {
        counts.put(jobId, of(jobId, results));
      }
      return counts;
    }
    for (String jobId : archived) {
      long[] sum = sums.getOrDefault(jobId, new long[3]);
      counts.put(jobId, new JobCounts(sum[0], sum[1], sum[2]));
    }
    return counts;
  }

  public long done() {
    return ok + failed;
  }
}
