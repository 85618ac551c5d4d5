package dev.crew.common;

import com.hazelcast.aggregation.Aggregators;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicate;
import com.hazelcast.query.Predicates;
import dev.crew.common.ledger.TaskLedger;

/**
 * Removes an ended job from the cluster: its record, then its archived results, its ledger blocks
 * and its result budget. The record goes first and only if it is still the one read, so a job that
 * changed meanwhile (run again) keeps everything; a remover that dies after it leaves results that
 * the archive's own time to live ends.
 */
public final class JobRemoval {
  private final IMap<Object, Object> jobs;
  private final IMap<String, TaskResult> results;
  private final IMap<String, ResultBudget> budgets;
  private final TaskLedger ledger;

  public JobRemoval(HazelcastInstance hazelcast, TaskLedger ledger) {
    this.jobs = hazelcast.getMap(Names.JOBS);
    this.results = hazelcast.getMap(Names.RESULTS);
    this.budgets = hazelcast.getMap(Names.BUDGETS);
    this.ledger = ledger;
  }

  /**
   * Removes {@code job} as read from the jobs map.
   *
   * @return how many archived results went with it, or -1 if the record had changed and nothing was
   *     removed
   */
  public long remove(Job job) {
    if (!jobs.remove(job.id(), job)) {
      // Compared as bytes: a record written in an older layout differs though it says the same.
      if (!JobRecords.get(jobs, job.id()).equals(java.util.Optional.of(job))) {
        return -1;
      }
      jobs.delete(job.id());
    }
    Predicate<String, TaskResult> ofJob = Predicates.equal("jobId", job.id());
    long archived = results.aggregate(Aggregators.count(), ofJob);
    if (archived > 0) {
      results.removeAll(ofJob);
    }
    ledger.forget(job.id());
    budgets.delete(job.id());
    return archived;
  }
}
