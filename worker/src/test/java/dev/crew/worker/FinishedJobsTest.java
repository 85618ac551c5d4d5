package dev.crew.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crew.common.Job;
import dev.crew.common.Lane;
import dev.crew.common.Params;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FinishedJobsTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final FinishedJobs finished = new FinishedJobs(now::get);

  private Job createdAt(String id, long millis) {
    return Job.submitting(id, "fib", Lane.CPU, Params.NONE, millis);
  }

  @Test
  void replay_ofAJobSeenEnding_isNamed() {
    Job job = createdAt("j1", now.get());
    assertThat(finished.replay(job)).isEmpty();

    finished.ended("j1");

    assertThat(finished.replay(job)).hasValueSatisfying(r -> assertThat(r).contains("j1 ended"));
    assertThat(finished.replay(createdAt("j2", now.get()))).isEmpty();
  }

  @Test
  void replay_ofAJobOlderThanTheMaxAge_isNamed_evenIfNeverSeenEnding() {
    Job job = createdAt("old", now.get());

    now.addAndGet(FinishedJobs.MAX_JOB_AGE.toMillis());
    assertThat(finished.replay(job)).isEmpty();
    now.addAndGet(Duration.ofMinutes(1).toMillis());

    assertThat(finished.replay(job)).hasValueSatisfying(r -> assertThat(r).contains("7 days"));
  }

  @Test
  void ended_remembersTheNewestWhenFull() {
    for (int i = 0; i <= FinishedJobs.REMEMBERED; i++) {
      finished.ended("j" + i);
    }

    assertThat(finished.replay(createdAt("j0", now.get()))).isEmpty();
    assertThat(finished.replay(createdAt("j" + FinishedJobs.REMEMBERED, now.get()))).isPresent();
  }
}
