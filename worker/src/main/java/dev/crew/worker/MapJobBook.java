package dev.crew.worker;

import com.hazelcast.map.IMap;
import dev.crew.common.Job;
import dev.crew.common.JobRecords;
import dev.crew.common.JobState;
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
  public void refuse(Job job) {
    jobs.replace(job.id(), job, job.withState(JobState.REFUSED));
  }
}
