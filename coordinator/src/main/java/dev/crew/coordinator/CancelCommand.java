package dev.crew.coordinator;

import com.hazelcast.collection.IQueue;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import dev.crew.common.Job;
import dev.crew.common.JobState;
import dev.crew.common.Names;
import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import java.util.ArrayList;
import java.util.List;
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
      Job job;
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
      // Drop the job's queued task ids, then the tasks themselves: a worker that took an id just
      // before finds no
      // task and drops it; one that already runs a task is stopped by the state change above.
      IQueue<String> queue = hazelcast.getQueue(job.lane().queueName());
      String prefix = jobId + "/";
      List<String> ofJob = new ArrayList<>();
      for (String taskId : queue) {
        if (taskId.startsWith(prefix)) {
          ofJob.add(taskId);
        }
      }
      if (!ofJob.isEmpty()) {
        queue.removeAll(ofJob);
      }
      hazelcast.<String, TaskChunk>getMap(Names.TASKS).removeAll(Predicates.equal("jobId", jobId));
      IMap<String, TaskResult> results = hazelcast.getMap(Names.RESULTS);
      JobProgress progress = JobProgress.of(job, results);
      out()
          .printf(
              "job %s cancelled: %d queued tasks dropped; %s items had finished (%d ok, %d failed)%n",
              jobId, ofJob.size(), progress.done(), progress.ok(), progress.failed());
      out().flush();
      return ExitCodes.OK;
    } finally {
      hazelcast.shutdown();
    }
  }
}
