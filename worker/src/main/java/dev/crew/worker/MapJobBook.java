package dev.crew.worker;

import com.hazelcast.map.IMap;
import dev.crew.common.Job;
import dev.crew.common.JobRecords;
import dev.crew.common.JobState;
import java.util.List;
import java.util.Optional;

/** Reads jobs from the cluster's job map, whose near cache makes the per-task lookup local. */
final class MapJobBook implements JobBook {
  private final IMap<String, Job> jobs;

  MapJobBook(IMap<String, Job> jobs) {
    this.jobs = jobs;
  }

  @Override
  public Optional<Job> find(String jobId) {
    return JobRecords.get(jobs, jobId);
  }

  @Override
  public Optional<Job> findFresh(String jobId) {
    // Read from the entry's owner, never from the near cache, which may still hold a job's state
    // from before it ended.
    return JobRecords.fresh(jobs, List.of(jobId)).jobs().stream().findFirst();
  }

  @Override
  public void refuse(Job job) {
    jobs.replace(job.id(), job, job.withState(JobState.REFUSED));
  }
}
