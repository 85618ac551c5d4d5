package dev.crew.worker;

import dev.crew.common.Job;
import dev.crew.common.JobSigner;
import dev.crew.common.JobState;
import dev.crew.common.Params;
import dev.crew.common.Task;
import dev.crew.common.TaskCatalog;
import dev.crew.worker.stats.WorkerEvents;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds each job's task to its parameters once, and tells per task whether the job still wants it
 * run.
 */
final class JobBindings {
  private static final Logger log = LoggerFactory.getLogger(JobBindings.class);

  private static final int MAX_CACHED = 512;

  private final TaskCatalog catalog;
  private final JobBook jobs;
  private final String worker;
  private final JobSigner signer;
  private final boolean allowExec;
  private final WorkerEvents events;
  private final Map<String, Binding> bound = new ConcurrentHashMap<>();

  JobBindings(TaskCatalog catalog, JobBook jobs, String worker) {
    this(catalog, jobs, worker, null, false);
  }

  /**
   * @param signer checks each job's signature; {@code null} trusts every job
   * @param allowExec whether tasks that run commands may run here
   */
  JobBindings(
      TaskCatalog catalog, JobBook jobs, String worker, JobSigner signer, boolean allowExec) {
    this(catalog, jobs, worker, signer, allowExec, WorkerEvents.NONE);
  }

  /** As above; refusals are also reported to {@code events}. */
  JobBindings(
      TaskCatalog catalog,
      JobBook jobs,
      String worker,
      JobSigner signer,
      boolean allowExec,
      WorkerEvents events) {
    this.events = events;
    this.catalog = catalog;
    this.jobs = jobs;
    this.worker = worker;
    this.signer = signer;
    this.allowExec = allowExec;
  }

  Binding forJob(String jobId) {
    Optional<Job> job = jobs.find(jobId);
    if (job.isEmpty()) {
      return new Binding.Drop("job " + jobId + " is unknown to the cluster");
    }
    if (job.get().state() == JobState.CANCELLED || job.get().state() == JobState.REFUSED) {
      return new Binding.Drop(
          "job " + jobId + " was " + job.get().state().name().toLowerCase(Locale.ROOT));
    }
    if (signer != null && !signer.verify(job.get())) {
      log.warn(
          "refused job {} (task {}): its signature does not match this cluster's secret, so none of its items will"
              + " run here; the submitter needs the same CREW_SECRET as the workers",
          jobId,
          job.get().task());
      jobs.refuse(job.get());
      events.refused("job " + jobId, "not signed with this cluster's secret");
      return new Binding.Drop("job " + jobId + " is not signed with this cluster's secret");
    }
    if (bound.size() > MAX_CACHED) {
      bound.clear();
    }
    return bound.computeIfAbsent(jobId, id -> bind(job.get()));
  }

  private Binding bind(Job job) {
    Optional<Task> task = catalog.find(job.task());
    if (task.isEmpty()) {
      return new Binding.Elsewhere(
          job.task(), "worker " + worker + " has no task named '" + job.task() + "'");
    }
    if (task.get().runsCommands() && !allowExec) {
      return new Binding.Elsewhere(
          job.task(),
          "worker "
              + worker
              + " does not run tasks that run commands ('"
              + job.task()
              + "'); start it with"
              + " --allow-exec to allow them");
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
