package dev.crew.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crew.common.JobRetention.Step;
import dev.crew.common.ledger.JobTally;
import java.time.Duration;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class JobRetentionTest {
  private static final long HOUR = Duration.ofHours(1).toMillis();

  private static Job job(JobState state) {
    return Job.submitting("j", "noop", Lane.CPU, Params.NONE, 1_000L)
        .queued(100, 4)
        .withState(state);
  }

  private static Function<String, JobTally> tally(
      long queued, long claimed, long recorded, long consumed) {
    return id -> new JobTally(queued, claimed, recorded, consumed);
  }

  private static final Function<String, JobTally> NEVER_ASKED =
      id -> {
        throw new AssertionError("tally asked for " + id);
      };

  @Test
  void retention_defaultWhenTheJobHasNone() {
    assertThat(JobRetention.retentionMillis(job(JobState.DONE)))
        .isEqualTo(JobRetention.DEFAULT.toMillis());
    assertThat(JobRetention.retentionMillis(job(JobState.DONE).withRetention(5_000)))
        .isEqualTo(5_000);
  }

  @Test
  void ended_finalStatesWithoutAskingTheLedger() {
    assertThat(JobRetention.ended(job(JobState.DONE), NEVER_ASKED)).isTrue();
    assertThat(JobRetention.ended(job(JobState.CANCELLED), NEVER_ASKED)).isTrue();
    assertThat(JobRetention.ended(job(JobState.REFUSED), NEVER_ASKED)).isTrue();
  }

  @Test
  void ended_neverWhileSubmitting() {
    Job submitting = Job.submitting("j", "noop", Lane.CPU, Params.NONE, 1L);

    assertThat(JobRetention.ended(submitting, NEVER_ASKED)).isFalse();
  }

  @Test
  void ended_abandonedOnlyOnceNoTaskIsQueuedOrClaimed() {
    assertThat(JobRetention.ended(job(JobState.ABANDONED), tally(1, 0, 0, 3))).isFalse();
    assertThat(JobRetention.ended(job(JobState.ABANDONED), tally(0, 1, 0, 3))).isFalse();
    assertThat(JobRetention.ended(job(JobState.ABANDONED), tally(0, 0, 1, 3))).isFalse();
    assertThat(JobRetention.ended(job(JobState.ABANDONED), tally(0, 0, 0, 4))).isTrue();
  }

  @Test
  void ended_runningOnceEveryResultIsConsumedOrTheLedgerHoldsNone() {
    Job running = job(JobState.RUNNING);

    assertThat(JobRetention.ended(running, tally(0, 0, 1, 3))).isFalse();
    assertThat(JobRetention.ended(running, tally(1, 0, 0, 3))).isFalse();
    assertThat(JobRetention.ended(running, tally(0, 0, 0, 4))).isTrue();
    assertThat(JobRetention.ended(running, tally(0, 0, 0, 0))).isTrue();
  }

  @Test
  void ended_runningWithTotalsUnknownIsStillQueuing() {
    Job queuing =
        Job.submitting("j", "noop", Lane.CPU, Params.NONE, 1L).withState(JobState.RUNNING);

    assertThat(JobRetention.ended(queuing, NEVER_ASKED)).isFalse();
  }

  @Test
  void step_stampsThenRemovesOnceTheRetentionHasPassed() {
    Job done = job(JobState.DONE).withRetention(HOUR);

    assertThat(JobRetention.step(done, true, 10 * HOUR)).isEqualTo(Step.STAMP);
    Job stamped = done.withEnded(10 * HOUR);
    assertThat(JobRetention.step(stamped, true, 11 * HOUR - 1)).isEqualTo(Step.KEEP);
    assertThat(JobRetention.step(stamped, true, 11 * HOUR)).isEqualTo(Step.REMOVE);
  }

  @Test
  void step_defaultRetentionWhenTheJobHasNone() {
    Job stamped = job(JobState.DONE).withEnded(HOUR);
    long day = JobRetention.DEFAULT.toMillis();

    assertThat(JobRetention.step(stamped, true, HOUR + day - 1)).isEqualTo(Step.KEEP);
    assertThat(JobRetention.step(stamped, true, HOUR + day)).isEqualTo(Step.REMOVE);
  }

  @Test
  void step_neverRemovesAJobThatHasNotEnded() {
    Job running = job(JobState.RUNNING).withRetention(1_000);

    assertThat(JobRetention.step(running, false, Long.MAX_VALUE / 2)).isEqualTo(Step.KEEP);
    assertThat(JobRetention.step(running.withEnded(5), false, Long.MAX_VALUE / 2))
        .isEqualTo(Step.UNSTAMP);
  }

  @Test
  void endedAgo_fromItsEndOrElseItsSubmission() {
    Job done = job(JobState.DONE);

    assertThat(JobRetention.endedAgo(done, 61_000L)).isEqualTo(Duration.ofMinutes(1));
    assertThat(JobRetention.endedAgo(done.withEnded(31_000L), 61_000L))
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(JobRetention.endedAgo(done, 0)).isEqualTo(Duration.ZERO);
  }

  @Test
  void parse_betweenOneSecondAndTheMaximum() {
    assertThat(JobRetention.parse("7d", "--retention")).isEqualTo(Duration.ofDays(7));
    assertThat(JobRetention.parse("1s", "--retention")).isEqualTo(Duration.ofSeconds(1));
    assertThatThrownBy(() -> JobRetention.parse("500ms", "--retention"))
        .hasMessage("--retention must be between 1s and 30d, not '500ms'");
    assertThatThrownBy(() -> JobRetention.parse("31d", "--retention"))
        .hasMessageContaining("not '31d'");
    assertThatThrownBy(() -> JobRetention.parse("soon", "--retention"))
        .hasMessageContaining("is not a duration");
  }
}
