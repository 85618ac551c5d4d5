package dev.crew.coordinator;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import dev.crew.client.job.JobRun;
import dev.crew.client.job.KeptResults;
import dev.crew.client.job.ResultArchive;
import dev.crew.common.ClusterValues;
import dev.crew.common.Job;
import dev.crew.common.Names;
import dev.crew.common.Redo;
import dev.crew.common.ResultHoldings;
import dev.crew.common.TaskResult;
import dev.crew.common.ledger.JobTally;
import dev.crew.common.ledger.TaskLedger;
import dev.crew.coordinator.job.JsonLinesOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code coordinator results}: the stored results of a job, in input order: those the task ledger
 * holds unread are first moved to the archive of results (the results map), where the others are.
 */
@Command(
    name = "results",
    header = "Print a job's stored results as JSON lines, in input order.",
    description = {
      "Reading results frees them: only their counts (and failures) stay, unless the job was",
      "submitted with --keep-results, which keeps the first ones up to half the job's result budget.",
      "A job paused on unread results goes on once they are read."
    },
    mixinStandardHelpOptions = true)
final class ResultsCommand extends ClusterCommandBase implements Callable<Integer> {
  private static final int BATCH = 256;

  @Parameters(index = "0", paramLabel = "JOB", description = "The job id.")
  String jobId;

  @Option(names = "--failed", description = "Only the items that failed.")
  boolean failedOnly;

  @Override
  public Integer call() throws IOException {
    HazelcastInstance hazelcast = connect();
    try {
      IMap<String, Job> jobs = hazelcast.getMap(Names.JOBS);
      IMap<String, TaskResult> results = hazelcast.getMap(Names.RESULTS);
      Job job = requireJob(jobs, jobId);
      TaskLedger ledger = JobRun.ledgerOf(hazelcast);
      // The ledger's unread results join the archive as they were recorded (settled only once
      // written there), so the loop below prints and frees them with the others.
      ResultArchive archive = new ResultArchive(hazelcast, ledger);
      archive.takeUnread(job.id());
      JsonLinesOutput output = new JsonLinesOutput(out(), failedOnly);
      ResultHoldings holdings = new ResultHoldings(hazelcast, ledger);
      KeptResults kept =
          new KeptResults(holdings.budgetOf(job.id()).keepLimit(holdings.clusterLimit()));
      Map<String, TaskResult> read = new HashMap<>();
      List<String> freed = new ArrayList<>();
      long absent = 0;
      long failed = 0;
      long forged = 0;
      for (List<TaskResult> batch : batches(job, results)) {
        for (TaskResult result : batch) {
          if (result == null) {
            absent++; // no result yet, or read before and not kept: the ledger tells which
          } else if (result.forged()) {
            forged++; // made or changed by a party without the secret: never printed
          } else if (result.consumed()) {
            failed += result.failed();
            if (failedOnly && result.hasErrors()) {
              output.accept(result); // failures are kept when the values were delivered
            }
          } else {
            output.accept(result);
            failed += result.failed();
            if (!failedOnly && !kept.keep(result)) {
              if (result.failed() > 0) {
                read.put(result.taskId(), result.asConsumed());
              } else {
                freed.add(result.taskId()); // its counts stay in the ledger
              }
            }
          }
        }
        output.flush();
        // Freed only once written out: a reader that dies before loses nothing.
        if (!read.isEmpty()) {
          archive.archive(read);
          read.clear();
        }
        for (String taskId : freed) {
          Redo.idempotent(
              () -> {
                results.delete(taskId);
                return taskId;
              });
        }
        freed.clear();
      }
      JobTally tally = ledger.tally(job.id());
      // The ledger counts every task it holds; the archive alone, a job whose blocks are gone.
      failed = tally.stored() > 0 ? tally.itemsFailed() : failed;
      long missing = tally.stored() > 0 ? tally.queued() + tally.claimed() : absent;
      long delivered = Math.max(0, absent - missing);
      if (delivered > 0 && !failedOnly) {
        err()
            .println(
                "coordinator: "
                    + delivered
                    + " tasks' results were read before and not kept (--keep-results keeps"
                    + " them, up to half the job's result budget)");
      }
      if (missing > 0) {
        err().println("coordinator: " + missing + " tasks have no result yet");
      }
      if (forged > 0) {
        err()
            .println(
                "coordinator: dropped "
                    + forged
                    + " stored results that do not open under this cluster's secret (forged, or"
                    + " changed by a party without it)");
      }
      err().flush();
      return failed > 0 ? ExitCodes.ITEMS_FAILED : ExitCodes.OK;
    } finally {
      hazelcast.shutdown();
    }
  }

  /**
   * The job's results task by task ({@code null} where a task has none yet), a batch at a time.
   * Values are read untyped: one that is not a result (a Compact record of someone else's with the
   * job's id, which the map's index takes) is passed over, as if the task had none.
   */
  static Iterable<List<TaskResult>> batches(Job job, IMap<String, TaskResult> results) {
    if (!job.totalsKnown()) {
      List<TaskResult> all =
          ClusterValues.ofType(
              TaskResult.class, results.values(Predicates.equal("jobId", job.id())));
      all.sort(Comparator.comparingLong(TaskResult::seq));
      return List.of(all);
    }
    return () ->
        new java.util.Iterator<>() {
          long next;

          @Override
          public boolean hasNext() {
            return next < job.totalTasks();
          }

          @Override
          public List<TaskResult> next() {
            Set<String> keys = new TreeSet<>();
            long end = Math.min(job.totalTasks(), next + BATCH);
            for (long seq = next; seq < end; seq++) {
              keys.add(Names.taskId(job.id(), seq));
            }
            Map<?, ?> found = results.getAll(keys);
            List<TaskResult> batch = new ArrayList<>();
            for (long seq = next; seq < end; seq++) {
              batch.add(
                  found.get(Names.taskId(job.id(), seq)) instanceof TaskResult result
                      ? result
                      : null);
            }
            next = end;
            return batch;
          }
        };
  }
}
