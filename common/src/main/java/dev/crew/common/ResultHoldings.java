package dev.crew.common;

import com.hazelcast.aggregation.Aggregators;
import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicate;
import com.hazelcast.query.Predicates;
import dev.crew.common.ledger.JobTally;
import dev.crew.common.ledger.TaskLedger;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What the cluster holds of results not yet read, per job and in all, measured where the results
 * are stored (aggregations and ledger tallies: only numbers come back), and what each job is
 * therefore {@linkplain Admission allowed}. Unread results are in two places: recorded in the task
 * ledger and not yet settled, and in the results map as full results nobody has read (moved there
 * by {@code coordinator results}, or kept by a submitter).
 */
public final class ResultHoldings {
  /**
   * The part of a worker's heap its share of stored results may take, backups included: the rest is
   * for running tasks, the task ledger, and Hazelcast itself.
   */
  private static final int HEAP_FRACTION = 4;

  private final HazelcastInstance hazelcast;
  private final TaskLedger ledger;
  private final IMap<String, TaskResult> results;
  private final IMap<String, ResultBudget> budgets;

  public ResultHoldings(HazelcastInstance hazelcast, TaskLedger ledger) {
    this.hazelcast = hazelcast;
    this.ledger = ledger;
    this.results = hazelcast.getMap(Names.RESULTS);
    this.budgets = hazelcast.getMap(Names.BUDGETS);
  }

  /**
   * Bytes of results (counted once, though stored with {@code backups} copies) that a worker with
   * {@code maxHeapBytes} of heap holds its share of; what it publishes as {@link
   * Names#ATTR_RESULTS_SHARE}.
   */
  public static long share(long maxHeapBytes, int backups) {
    return maxHeapBytes / HEAP_FRACTION / (1L + Math.max(0, backups));
  }

  /** Bytes of results the workers hold for all jobs: the sum of their shares; 0 if none says. */
  public long clusterLimit() {
    long sum = 0;
    for (Member member : hazelcast.getCluster().getMembers()) {
      String share = member.getAttribute(Names.ATTR_RESULTS_SHARE);
      if (share != null) {
        try {
          sum += Long.parseLong(share);
        } catch (NumberFormatException e) {
          // a member that publishes no readable share adds nothing
        }
      }
    }
    return sum;
  }

  /** The budget the submitter stored for {@code jobId}, or the default. */
  public ResultBudget budgetOf(String jobId) {
    // Read untyped: a value that is not a budget, put at the job's key by someone else, reads as
    // none (taken as a budget it failed every admission of the job with a ClassCastException).
    Object budget = ((IMap<?, ?>) budgets).get(jobId);
    return budget instanceof ResultBudget stored ? stored : ResultBudget.byDefault(jobId);
  }

  /** Bytes of {@code jobId}'s results stored unread, in the results map and in the ledger. */
  public long held(String jobId) {
    return held(jobId, ledger.tally(jobId));
  }

  /** As {@link #held(String)}, with the job's ledger tally already read. */
  private long held(String jobId, JobTally tally) {
    return sum(Predicates.and(Predicates.equal("jobId", jobId), unread())) + tally.unreadBytes();
  }

  /** Whether {@code jobId}'s tasks may run now. */
  public Admission admission(String jobId) {
    long clusterLimit = clusterLimit();
    long jobLimit = budgetOf(jobId).effectiveLimit(clusterLimit);
    if (clusterLimit <= 0) {
      return Admission.of(held(jobId), jobLimit, 0, clusterLimit, 1);
    }
    // One pass over the ledger's active blocks (those that can hold unread results) gives this
    // job's unread results and every job's.
    Map<String, JobTally> tallies = ledger.activeTallies();
    long jobHeld = held(jobId, tallies.getOrDefault(jobId, JobTally.EMPTY));
    long totalHeld = sum(unread());
    for (JobTally tally : tallies.values()) {
      totalHeld += tally.unreadBytes();
    }
    int jobsHolding = 1;
    if (totalHeld >= clusterLimit && jobHeld > 0) {
      Set<String> holding =
          new HashSet<>(results.aggregate(Aggregators.distinct("jobId"), unread()));
      tallies.forEach(
          (id, tally) -> {
            if (tally.unreadBytes() > 0) {
              holding.add(id);
            }
          });
      jobsHolding = holding.size();
    }
    return Admission.of(jobHeld, jobLimit, totalHeld, clusterLimit, jobsHolding);
  }

  private long sum(Predicate<String, TaskResult> which) {
    Long sum = results.aggregate(Aggregators.longSum("heldBytes"), which);
    return sum == null ? 0 : sum;
  }

  /** A consumed result holds 0 bytes: its values were delivered and dropped. */
  private static Predicate<String, TaskResult> unread() {
    return Predicates.greaterThan("heldBytes", 0L);
  }
}
