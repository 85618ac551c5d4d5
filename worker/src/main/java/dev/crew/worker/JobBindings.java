package dev.crew.worker;

import dev.crew.common.Job;
import dev.crew.common.JobState;
import dev.crew.common.Params;
import dev.crew.common.Task;
import dev.crew.common.TaskCatalog;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Binds each job's task to its parameters once, and tells per task whether the job still wants it run. */
final class JobBindings {
  private static final int MAX_CACHED = 512;

  private final TaskCatalog catalog;
  private final JobBook jobs;
  private final String worker;
  private final Map<String, Binding> bound = new ConcurrentHashMap<>();

  JobBindings(TaskCatalog catalog, JobBook jobs, String worker) {
    this.catalog = catalog;
    this.jobs = jobs;
    this.worker = worker;
  }

  Binding forJob(String jobId) {
    Optional<Job> job = jobs.find(jobId);
    if (job.isEmpty()) {
      return new Binding.Drop("job " + jobId + " is unknown to the cluster");
    }
    if (job.get().state() == JobState.CANCELLED) {
      return new Binding.Drop("job " + jobId + " was cancelled");
    }
    if (bound.size() > MAX_CACHED) {
      bound.clear();
    }
    return bound.computeIfAbsent(jobId, id -> bind(job.get()));
  }

  private Binding bind(Job job) {
    Optional<Task> task = catalog.find(job.task());
    if (task.isEmpty()) {
      return new Binding.Refuse("worker " + worker + " has no task named '" + job.task() + "'");
    }
    try {
      return new Binding.Run(
          task.get().bind(new Params(job.params().values())),
          new ItemPolicy(job.retries(), Duration.ofMillis(job.timeoutMillis())));
    } catch (RuntimeException e) {
      return new Binding.Refuse(Outcomes.describe(e));
    }
  }
}
