package dev.crew.coordinator;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.crew.client.job.Cancellation;
import dev.crew.client.job.JobRun;
import dev.crew.common.Job;
import dev.crew.common.Names;
import dev.crew.common.TaskResult;
import dev.crew.common.ledger.TaskLedger;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code coordinator cancel}: stops a job; its queued tasks are dropped and no new task of it
 * starts.
 */
@Command(
    name = "cancel",
    header = "Cancel a job: its queued tasks are dropped and none of its tasks start again.",
    mixinStandardHelpOptions = true)
final class CancelCommand extends ClusterCommandBase implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "JOB", description = "The job id.")
  String jobId;

  @Override
  public Integer call() {
    HazelcastInstance hazelcast = connect();
    try {
      IMap<String, Job> jobs = hazelcast.getMap(Names.JOBS);
      TaskLedger ledger = JobRun.ledgerOf(hazelcast);
      Job job = requireJob(jobs, jobId);
      if (job.forged()) {
        throw new CrewException(
            ExitCodes.REFUSED,
            "the record of job "
                + jobId
                + " does not open under this coordinator's secret (changed by a party without the"
                + " cluster secret, or this is another secret); nothing was cancelled");
      }
      Cancellation.Result cancel =
          Cancellation.cancel(hazelcast, ledger, job)
              .orElseThrow(
                  () ->
                      new CrewException(
                          ExitCodes.REFUSED,
                          "the record of job "
                              + jobId
                              + " was removed, or changed by a party without the cluster secret,"
                              + " while it was being cancelled; it was not cancelled"));
      job = cancel.job();
      if (!cancel.cancelled()) {
        out()
            .println("job " + jobId + " is already " + job.state().name().toLowerCase(Locale.ROOT));
        out().flush();
        return ExitCodes.OK;
      }
      IMap<String, TaskResult> results = hazelcast.getMap(Names.RESULTS);
      JobProgress progress = JobProgress.of(job, results, ledger);
      out()
          .printf(
              "job %s cancelled: %d queued tasks dropped; %s items had finished (%d ok, %d failed)%n",
              jobId, cancel.queuedDropped(), progress.done(), progress.ok(), progress.failed());
      out().flush();
      return ExitCodes.OK;
    } finally {
      hazelcast.shutdown();
    }
  }
}
