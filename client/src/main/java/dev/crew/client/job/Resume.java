package dev.crew.client.job;

import static java.util.Objects.requireNonNull;

import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import dev.crew.common.ClusterValues;
import dev.crew.common.TaskResult;
import dev.crew.common.ledger.JobTally;
import dev.crew.common.ledger.TaskLedger;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a submission of a job picks up: the next task number, how many input items earlier tasks
 * already hold, and the results earlier submissions handed on (the archive's entries of the job).
 */
record Resume(long nextSeq, long nextIndex, List<TaskResult> archived) {
  static final Resume FRESH = new Resume(0, 0, List.of());

  Resume {
    requireNonNull(archived, "archived");
    archived = List.copyOf(archived);
  }

  /**
   * Finds how far earlier submissions of job {@code jobId} got. Tasks are stored in order, and each
   * stays in the ledger until its result is handed on, when it is archived before it is settled: so
   * the last task stored is the highest of the ledger's tasks not yet consumed and the archive's
   * results. The ledger is read first: a result handed on during the two reads is in the archive by
   * the second.
   */
  static Resume find(TaskLedger ledger, IMap<String, TaskResult> archive, String jobId) {
    JobTally tally = ledger.tally(jobId);
    // Delivered results the archive does not keep (all succeeded, not kept) are the ledger's
    // counts; those it keeps are taken from it, whole or with their failures.
    Map<Long, TaskResult> bySeq = new TreeMap<>();
    ledger.delivered(jobId).forEach(result -> bySeq.put(result.seq(), result));
    // A Compact record of someone else's with the job's id (the archive's index takes any value
    // with one) is passed over; taken as a result, it failed every resume of the job.
    ClusterValues.ofType(TaskResult.class, archive.values(Predicates.equal("jobId", jobId)))
        .forEach(result -> bySeq.put(result.seq(), result));
    List<TaskResult> archived = List.copyOf(bySeq.values());
    long lastSeq = tally.lastSeq();
    long lastEnd = tally.lastEnd();
    for (TaskResult result : archived) {
      if (result.seq() > lastSeq) {
        lastSeq = result.seq();
        lastEnd = result.firstIndex() + result.count();
      }
    }
    return lastSeq < 0 ? FRESH : new Resume(lastSeq + 1, lastEnd, archived);
  }
}
