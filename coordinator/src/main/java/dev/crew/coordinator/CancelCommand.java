package dev.crew.coordinator;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.crew.common.Job;
import dev.crew.common.JobState;
import dev.crew.common.Names;
import dev.crew.common.TaskResult;
import dev.crew.common.ledger.JobTally;
import dev.crew.common.ledger.TaskLedger;
import dev.crew.coordinator.job.JobRun;
import dev.crew.coordinator.job.ResultArchive;
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
      JobTally before = JobTally.EMPTY;
      Job job = requireJob(jobs, jobId);
      if (job.forged()) {
        throw new CrewException(
            ExitCodes.REFUSED,
            "the record of job "
                + jobId
                + " does not open under this coordinator's secret (changed by a party without the"
                + " cluster secret, or this is another secret); nothing was cancelled");
      }
      if (!job.state().isFinal()) {
        // Before the state changes: a worker that meets a task of a cancelled job forgets the job's
        // blocks, unread results with them. Moved to the archive, they stay readable.
        before = ledger.tally(jobId);
        new ResultArchive(hazelcast, ledger).takeUnread(jobId);
      }
      do {
        job = requireJob(jobs, jobId);
        if (job.state().isFinal()) {
          out()
              .println(
                  "job " + jobId + " is already " + job.state().name().toLowerCase(Locale.ROOT));
          out().flush();
          return ExitCodes.OK;
        }
      } while (!jobs.replace(jobId, job, job.withState(JobState.CANCELLED)));
      // A worker running one of its tasks is stopped by the state change; a result recorded since
      // the move above goes with the job's tasks.
      ledger.forget(jobId);
      IMap<String, TaskResult> results = hazelcast.getMap(Names.RESULTS);
      JobProgress progress = JobProgress.of(job, results, ledger);
      out()
          .printf(
              "job %s cancelled: %d queued tasks dropped; %s items had finished (%d ok, %d failed)%n",
              jobId, before.queued(), progress.done(), progress.ok(), progress.failed());
      out().flush();
      return ExitCodes.OK;
    } finally {
      hazelcast.shutdown();
    }
  }
}
