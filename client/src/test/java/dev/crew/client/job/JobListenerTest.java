package dev.crew.client.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryUpdatedListener;
import dev.crew.common.Job;
import dev.crew.common.JobState;
import dev.crew.common.Lane;
import dev.crew.common.Names;
import dev.crew.common.Params;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The filter of a run's listener on its job ({@link JobRun#ACTED_ON}), evaluated by a real member
 * on the job records as they are stored: a cancel and a refusal come as events, the run's own
 * updates do not.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobListenerTest {
  private HazelcastInstance member;

  @BeforeAll
  void start() {
    member = IsolatedMember.start("listener");
  }

  @AfterAll
  void stop() {
    member.getLifecycleService().terminate();
  }

  @Test
  void aRunHearsOfACancelAndARefusal_notOfItsOwnUpdates() {
    IMap<String, Job> jobs = member.getMap(Names.JOBS);
    Job cancelled = job("cancelled");
    Job refused = job("refused");
    List<String> heard = new CopyOnWriteArrayList<>();
    for (Job job : List.of(cancelled, refused)) {
      jobs.put(job.id(), job);
      jobs.addEntryListener(
          (EntryUpdatedListener<String, Job>)
              e -> heard.add(e.getKey() + " " + e.getValue().state()),
          JobRun.ACTED_ON,
          job.id(),
          /* includeValue= */ true);
    }

    // Events of one key come in the order of its updates: when the last has come, no update
    // before it can still come.
    jobs.put(cancelled.id(), cancelled.withState(JobState.RUNNING));
    jobs.put(cancelled.id(), cancelled.withState(JobState.CANCELLED));
    jobs.put(refused.id(), refused.withState(JobState.RUNNING));
    jobs.put(refused.id(), refused.withState(JobState.DONE));
    jobs.put(refused.id(), refused.withState(JobState.REFUSED));

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(heard)
                    .containsExactlyInAnyOrder(
                        cancelled.id() + " CANCELLED", refused.id() + " REFUSED"));
  }

  private static Job job(String name) {
    return Job.submitting(
        name + "-" + UUID.randomUUID(), "noop", Lane.CPU, Params.NONE, System.currentTimeMillis());
  }
}
