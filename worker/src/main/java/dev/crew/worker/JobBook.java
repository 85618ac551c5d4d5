package dev.crew.worker;

import dev.crew.common.Job;
import java.util.Optional;

/** Looks up the job a task belongs to. */
interface JobBook {
  Optional<Job> find(String jobId);

  /** Marks {@code job} as refused, so that its submitter learns why nothing runs. */
  default void refuse(Job job) {}
}
