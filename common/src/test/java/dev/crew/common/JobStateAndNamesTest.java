package dev.crew.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JobStateAndNamesTest {

  @Test
  void isFinal_onlyDoneAndCancelled() {
    assertThat(JobState.SUBMITTING.isFinal()).isFalse();
    assertThat(JobState.RUNNING.isFinal()).isFalse();
    assertThat(JobState.DONE.isFinal()).isTrue();
    assertThat(JobState.CANCELLED.isFinal()).isTrue();
  }

  @Test
  void taskId_jobSlashSeq() {
    assertThat(Names.taskId("job-1", 0)).isEqualTo("job-1/0");
    assertThat(Names.taskId("j", 12345678901L)).isEqualTo("j/12345678901");
  }
}
