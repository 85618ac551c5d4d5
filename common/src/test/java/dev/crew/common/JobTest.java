package dev.crew.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class JobTest {

  private static Job job(String id, int retries, long timeoutMillis) {
    return new Job(
        id, "fib", Lane.CPU, Params.NONE, JobState.RUNNING, 1L, 10, 2, retries, timeoutMillis, "");
  }

  @Test
  void submitting_startsWithUnknownTotals() {
    Params params = Params.parse(List.of("timeout=1s"));
    Job job = Job.submitting("j1", "http-get", Lane.IO, params, 1234L);

    assertThat(job.state()).isEqualTo(JobState.SUBMITTING);
    assertThat(job.totalItems()).isEqualTo(-1);
    assertThat(job.totalTasks()).isEqualTo(-1);
    assertThat(job.totalsKnown()).isFalse();
    assertThat(job.createdMillis()).isEqualTo(1234L);
    assertThat(job.params()).isEqualTo(params);
    assertThat(job.retries()).isZero();
    assertThat(job.timeoutMillis()).isZero();
    assertThat(job.signature()).isEmpty();
  }

  @Test
  void queued_fromSubmittingBecomesRunning() {
    Job job = Job.submitting("j1", "fib", Lane.CPU, Params.NONE, 5L).queued(100, 4);

    assertThat(job.state()).isEqualTo(JobState.RUNNING);
    assertThat(job.totalItems()).isEqualTo(100);
    assertThat(job.totalTasks()).isEqualTo(4);
    assertThat(job.totalsKnown()).isTrue();
    assertThat(job.id()).isEqualTo("j1");
    assertThat(job.createdMillis()).isEqualTo(5L);
  }

  @Test
  void queued_keepsCancelledState() {
    Job job =
        Job.submitting("j1", "fib", Lane.CPU, Params.NONE, 5L)
            .withState(JobState.CANCELLED)
            .queued(3, 1);

    assertThat(job.state()).isEqualTo(JobState.CANCELLED);
    assertThat(job.totalTasks()).isEqualTo(1);
  }

  @Test
  void withState_changesOnlyState() {
    Job before = job("j1", 2, 500);
    Job after = before.withState(JobState.DONE);

    assertThat(after.state()).isEqualTo(JobState.DONE);
    assertThat(after).usingRecursiveComparison().ignoringFields("state").isEqualTo(before);
  }

  @Test
  void constructor_slashInIdRefused() {
    assertThatThrownBy(() -> job("a/b", 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'a/b'");
  }

  @Test
  void constructor_blankIdRefused() {
    assertThatThrownBy(() -> job("  ", 0, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void constructor_negativeRetriesRefused() {
    assertThatThrownBy(() -> job("j", -1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("negative");
  }

  @Test
  void constructor_negativeTimeoutRefused() {
    assertThatThrownBy(() -> job("j", 0, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("negative");
  }

  @Test
  void constructor_nullFieldsRefused() {
    assertThatThrownBy(
            () -> new Job(null, "t", Lane.CPU, Params.NONE, JobState.RUNNING, 0, 0, 0, 0, 0, ""))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("id");
    assertThatThrownBy(
            () -> new Job("j", "t", Lane.CPU, Params.NONE, JobState.RUNNING, 0, 0, 0, 0, 0, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("signature");
    assertThatThrownBy(
            () -> new Job("j", "t", null, Params.NONE, JobState.RUNNING, 0, 0, 0, 0, 0, ""))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("lane");
  }
}
