package dev.crew.worker;

import dev.crew.common.Job;
import java.util.Optional;

/** Looks up the job a task belongs to. */
interface JobBook {
  Optional<Job> find(String jobId);

  /**
   * The job as its owner holds it now, past any local copy: what settles whether a job this worker
   * saw end is really shown running again.
   */
  default Optional<Job> findFresh(String jobId) {
    return find(jobId);
  }

  /** Marks {@code job} as refused, so that its submitter learns why nothing runs. */
  default void refuse(Job job) {}
}
