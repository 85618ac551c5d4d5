package dev.crew.client.job;

import com.hazelcast.map.IMap;
import dev.crew.common.Job;
import dev.crew.common.JobRecords;
import dev.crew.common.JobState;
import dev.crew.common.Redo;
import java.io.IOException;
import java.util.Optional;

/**
 * A submission under a {@code --job-id} that the cluster already has: with the same input it goes
 * on (or answers with the job's results), with other input it is refused before anything is printed
 * or queued. Inputs are told apart by their digests; the task, parameters and lane are compared
 * when the job is adopted.
 */
public final class Resubmission {
  private Resubmission() {}

  /**
   * Checks {@code source} against the stored job of the same id as {@code submitted}, if there is
   * one, and takes back a job its coordinator abandoned.
   *
   * @throws JobIdTakenException if the stored job has other input
   */
  public static void check(IMap<String, Job> jobs, Job submitted, ItemSource source)
      throws IOException {
    String jobId = submitted.id();
    Job existing = JobRecords.asJob(jobId, ((IMap<?, ?>) jobs).get(jobId)).orElse(null);
    if (existing == null || existing.forged()) {
      return; // none, or not one to resume: the run refuses the id
    }
    if (!existing.inputDigest().isEmpty()) {
      Optional<String> known = source.digest();
      String ours;
      if (known.isPresent()) {
        ours = known.get();
      } else if (existing.totalsKnown()) {
        // Standard input: its digest is known only at its end. The stored job holds every task,
        // so nothing more is to be queued from it.
        ours = source.readToEnd();
      } else {
        throw new JobIdTakenException(
            "job '"
                + jobId
                + "' was cut off while queuing a file or a range; submit it again with the same"
                + " --input FILE or --range");
      }
      if (!ours.equals(existing.inputDigest())) {
        throw new JobIdTakenException(
            "job '"
                + jobId
                + "' already exists with other input; choose another --job-id (the same input"
                + " shows its results)");
      }
    }
    boolean sameWork =
        existing.task().equals(submitted.task())
            && existing.params().equals(submitted.params())
            && existing.lane() == submitted.lane();
    if (existing.state() == JobState.ABANDONED && sameWork) {
      // Its coordinator gave up while queuing; this one goes on where it stopped.
      Redo.replace(jobs, jobId, existing, existing.withState(JobState.SUBMITTING));
    }
  }
}
