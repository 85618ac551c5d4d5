package dev.crew.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.AbstractMap.SimpleEntry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobRecordsTest {
  private static final Job JOB = Job.submitting("j1", "noop", Lane.CPU, Params.NONE, 1L);

  @Test
  void of_keepsJobsUnderTheirOwnIdAndCountsTheRest() {
    List<Map.Entry<?, ?>> entries =
        List.of(
            new SimpleEntry<>("j1", JOB),
            new SimpleEntry<>("j2", "not a job"),
            new SimpleEntry<>(42, JOB),
            new SimpleEntry<>("squatted", JOB),
            new SimpleEntry<>("j3", null));

    JobRecords records = JobRecords.of(entries);

    assertThat(records.jobs()).containsExactly(JOB);
    assertThat(records.foreign()).isEqualTo(4);
  }

  @Test
  void of_anEntryThatFailsToDeserializeIsCountedNotThrown() {
    Map.Entry<Object, Object> broken =
        new SimpleEntry<>("j9", JOB) {
          @Override
          public Object getValue() {
            throw new IllegalStateException("unknown type");
          }
        };

    JobRecords records = JobRecords.of(List.of(broken, new SimpleEntry<>("j1", JOB)));

    assertThat(records.jobs()).containsExactly(JOB);
    assertThat(records.foreign()).isEqualTo(1);
  }

  @Test
  void asJob_onlyAJobUnderItsOwnId() {
    assertThat(JobRecords.asJob("j1", JOB)).contains(JOB);
    assertThat(JobRecords.asJob("j2", JOB)).isEmpty();
    assertThat(JobRecords.asJob("j1", Map.of("id", "j1"))).isEmpty();
  }
}
