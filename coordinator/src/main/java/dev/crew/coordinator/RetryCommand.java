package dev.crew.coordinator;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.crew.client.ClusterView;
import dev.crew.client.job.ChunkPlanner;
import dev.crew.client.job.JobRun;
import dev.crew.client.job.ListSource;
import dev.crew.client.job.Outcome;
import dev.crew.client.job.Progress;
import dev.crew.client.job.ResultArchive;
import dev.crew.common.Job;
import dev.crew.common.JobSigner;
import dev.crew.common.Names;
import dev.crew.common.TaskResult;
import dev.crew.common.ledger.TaskLedger;
import dev.crew.coordinator.job.JsonLinesOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code coordinator retry}: the failed items of a job, run again as a new job. */
@Command(
    name = "retry",
    header =
        "Run only the failed items of a job again, as a new job; each keeps its index in the original input.",
    mixinStandardHelpOptions = true)
final class RetryCommand extends ClusterCommandBase implements Callable<Integer> {

  @Parameters(
      index = "0",
      paramLabel = "JOB",
      description = "The job whose failed items to run again.")
  String jobId;

  @Override
  public Integer call() throws Exception {
    Optional<JobSigner> signer = options().signer();
    HazelcastInstance hazelcast = connectToSend(signer);
    try {
      IMap<String, Job> jobs = hazelcast.getMap(Names.JOBS);
      IMap<String, TaskResult> results = hazelcast.getMap(Names.RESULTS);
      Job original = requireJob(jobs, jobId);
      TaskLedger ledger = JobRun.ledgerOf(hazelcast);
      // Everything is checked before anything is queued: a retry signs the job's task, parameters
      // and failed items anew, so each must already carry the secret's signature.
      if (signer.isPresent() && !signer.get().verify(original)) {
        throw refused("the record of job " + jobId + " is not signed with the cluster secret");
      }
      if (original.stages() > 1) {
        // Its failed items failed at various stages, and a later stage's items are not the input.
        throw CrewException.usage(
            "job "
                + jobId
                + " is a pipeline of "
                + original.stages()
                + " stages: retry runs the failed items of a job of one stage (submit the failed"
                + " items again instead)");
      }
      // Failures nobody has read yet are in the ledger: moved to the archive with the others (as
      // 'results' does), where they stay readable.
      new ResultArchive(hazelcast, ledger).takeUnread(jobId);
      List<ListSource.Picked> failed = new ArrayList<>();
      for (List<TaskResult> batch : ResultsCommand.batches(original, results)) {
        for (TaskResult result : batch) {
          if (result != null && result.hasErrors()) {
            if (signer.isPresent()
                && (!result.jobId().equals(jobId) || !signer.get().verify(result.task()))) {
              throw refused(
                  "the failed items of job "
                      + jobId
                      + " in result "
                      + result.taskId()
                      + " are not those of a task signed with the cluster secret");
            }
            for (int i = 0; i < result.count(); i++) {
              if (result.errors()[i] != null) {
                failed.add(
                    new ListSource.Picked(
                        result.firstIndex() + i,
                        result.isRange() ? null : result.items()[i],
                        result.isRange() ? result.rangeStart() + i : null));
              }
            }
          }
        }
      }
      if (failed.isEmpty()) {
        out().println("job " + jobId + " has no failed items to retry");
        out().flush();
        return ExitCodes.OK;
      }
      String retryId = jobId + "-retry1";
      for (int k = 2; jobs.containsKey(retryId); k++) {
        retryId = jobId + "-retry" + k;
      }
      Job retry =
          Job.submitting(
                  retryId,
                  original.task(),
                  original.lane(),
                  original.params(),
                  System.currentTimeMillis())
              .withPolicy(original.retries(), original.timeoutMillis())
              .withRetention(original.retentionMillis());
      err()
          .println(
              "coordinator: running "
                  + failed.size()
                  + " failed items of "
                  + jobId
                  + " again as "
                  + retryId);
      err().flush();
      JsonLinesOutput output = new JsonLinesOutput(out());
      Outcome outcome =
          new JobRun(hazelcast, ledger)
              .run(
                  retry,
                  new ListSource(failed),
                  ChunkPlanner.fixed(1),
                  output,
                  Progress.NONE,
                  new JobRun.Options(
                      false,
                      false,
                      Math.max(1, ClusterView.of(hazelcast).slots(original.lane())),
                      signer.orElse(null)));
      out().flush();
      err().println(outcome.summary());
      err().flush();
      if (outcome.cancelled()) {
        return ExitCodes.NOT_COMPLETED;
      }
      return outcome.failed() > 0 ? ExitCodes.ITEMS_FAILED : ExitCodes.OK;
    } finally {
      hazelcast.shutdown();
    }
  }

  private static CrewException refused(String what) {
    return new CrewException(
        ExitCodes.REFUSED,
        what + " (made or changed without it, e.g. planted); nothing was queued again");
  }
}
