package dev.crew.worker;

import dev.crew.common.Job;
import dev.crew.common.JobSigner;
import dev.crew.common.JobState;
import dev.crew.common.Params;
import dev.crew.common.SignedJob;
import dev.crew.common.Task;
import dev.crew.common.TaskCatalog;
import dev.crew.worker.stats.WorkerEvents;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds each job's task to its parameters once, and tells per task whether the job still wants it
 * run.
 *
 * <p>A job's signature is checked once per worker, not per task: a binding is kept under the job's
 * signed part and signature ({@link SignedJob}), so a job record changed in anything signed is
 * looked up afresh and checked again. Its state (cancelled, refused) is not signed and is read per
 * task.
 */
final class JobBindings {
  private static final Logger log = LoggerFactory.getLogger(JobBindings.class);

  /** Far more jobs than a worker runs at once; a job that falls out is only checked again. */
  static final int MAX_CACHED = 512;

  private final TaskCatalog catalog;
  private final JobBook jobs;
  private final String worker;
  private final Predicate<SignedJob> signedHere;
  private final boolean allowExec;
  private final WorkerEvents events;
  private final FinishedJobs finished;

  // Access order: the jobs running now stay, the oldest falls out. Only verified jobs get in.
  private final Map<StageOf, Binding> bound =
      Collections.synchronizedMap(
          new LinkedHashMap<>(64, 0.75f, /* accessOrder= */ true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<StageOf, Binding> eldest) {
              return size() > MAX_CACHED;
            }
          });

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
    this(
        catalog, jobs, worker, signer == null ? signed -> true : signer::verify, allowExec, events);
  }

  /**
   * @param signedHere whether a job carries a valid signature of this cluster's secret
   */
  JobBindings(
      TaskCatalog catalog,
      JobBook jobs,
      String worker,
      Predicate<SignedJob> signedHere,
      boolean allowExec,
      WorkerEvents events) {
    this(
        catalog,
        jobs,
        worker,
        signedHere,
        allowExec,
        events,
        new FinishedJobs(System::currentTimeMillis));
  }

  /**
   * @param finished the jobs seen ending here: their tasks, put back by a replay, never run
   */
  JobBindings(
      TaskCatalog catalog,
      JobBook jobs,
      String worker,
      Predicate<SignedJob> signedHere,
      boolean allowExec,
      WorkerEvents events,
      FinishedJobs finished) {
    this.finished = finished;
    this.events = events;
    this.catalog = catalog;
    this.jobs = jobs;
    this.worker = worker;
    this.signedHere = signedHere;
    this.allowExec = allowExec;
  }

  /** A stage of a verified job: what a binding is kept under. */
  private record StageOf(SignedJob job, int stage) {}

  Binding forJob(String jobId) {
    return forJob(jobId, 0);
  }

  /** As {@link #forJob(String)}, for the tasks of stage {@code stage} of a pipeline. */
  Binding forJob(String jobId, int stage) {
    Optional<Job> job = jobs.find(jobId);
    if (job.isEmpty()) {
      return new Binding.Drop("job " + jobId + " is unknown to the cluster");
    }
    if (job.get().forged()) {
      return forged(jobId, stage);
    }
    if (job.get().state() == JobState.CANCELLED || job.get().state() == JobState.REFUSED) {
      return new Binding.Drop(
          "job " + jobId + " was " + job.get().state().name().toLowerCase(Locale.ROOT));
    }
    // A job that ended for good, now shown running again: its record and tasks were put back. The
    // local copy of the record may lag behind its end, so its owner's copy decides.
    Optional<String> replay = finished.replay(job.get());
    if (replay.isPresent()) {
      Optional<Job> fresh = jobs.findFresh(jobId);
      if (fresh.isEmpty() || fresh.get().forged() || fresh.get().state().isFinal()) {
        return new Binding.Drop("job " + jobId + " ended");
      }
      return new Binding.Replay(replay.get());
    }
    SignedJob signed = SignedJob.of(job.get());
    Binding known = bound.get(new StageOf(signed, stage));
    if (known != null) {
      return known;
    }
    if (stage >= job.get().stages()) {
      return new Binding.Drop("job " + jobId + " has no stage " + (stage + 1));
    }
    if (!signedHere.test(signed)) {
      log.warn(
          "refused job {} (task {}): its signature does not match this cluster's secret, so none of its items will"
              + " run here; the submitter needs the same CREW_SECRET as the workers",
          jobId,
          job.get().task());
      jobs.refuse(job.get());
      events.refused("job " + jobId, "not signed with this cluster's secret");
      return new Binding.Drop("job " + jobId + " is not signed with this cluster's secret");
    }
    // Bound outside the lock; two lanes binding the same new job at once keep either binding.
    Binding binding = bind(job.get(), stage);
    bound.put(new StageOf(signed, stage), binding);
    verified.put(new VerifiedStage(jobId, stage), binding);
    return binding;
  }

  /**
   * The binding of a job whose record does not open under the cluster secret: it was changed by a
   * party without it (its state, say, set to cancelled), so the change is ignored and the job runs
   * as it was verified here. A job never verified here waits: its tasks go back until the record is
   * whole again or the job is forgotten; it is never marked refused, which would end it.
   */
  private Binding forged(String jobId, int stage) {
    if (reportedForged.first(jobId)) {
      log.warn(
          "job {}: its record was changed by a party without this cluster's secret; the change is"
              + " ignored",
          jobId);
      events.refused("job " + jobId, "record changed by a party without the cluster secret");
    }
    Binding known = verified.get(new VerifiedStage(jobId, stage));
    return known != null
        ? known
        : new Binding.Drop("job " + jobId + "'s record does not open under this cluster's secret");
  }

  /** The last verified binding of each job, by id, for when its record is forged later. */
  private final Map<VerifiedStage, Binding> verified =
      Collections.synchronizedMap(
          new LinkedHashMap<>(64, 0.75f, /* accessOrder= */ true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<VerifiedStage, Binding> eldest) {
              return size() > MAX_CACHED;
            }
          });

  private record VerifiedStage(String jobId, int stage) {}

  private final OncePerJob reportedForged = new OncePerJob(MAX_CACHED);

  /** How many jobs are remembered as verified and bound. */
  int cached() {
    return bound.size();
  }

  private Binding bind(Job job, int stage) {
    String name = job.taskOf(stage);
    Optional<Task> task = catalog.find(name);
    if (task.isEmpty()) {
      return new Binding.Elsewhere(name, "worker " + worker + " has no task named '" + name + "'");
    }
    if (task.get().runsCommands() && !allowExec) {
      return new Binding.Elsewhere(
          name,
          "worker "
              + worker
              + " does not run tasks that run commands ('"
              + name
              + "'); start it with"
              + " --allow-exec to allow them");
    }
    try {
      return new Binding.Run(
          task.get().bind(new Params(job.paramsOf(stage).values())),
          new ItemPolicy(job.retries(), Duration.ofMillis(job.timeoutMillis())),
          name);
    } catch (RuntimeException e) {
      return new Binding.Refuse(Outcomes.describe(e));
    }
  }
}
