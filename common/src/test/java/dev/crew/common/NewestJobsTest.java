package dev.crew.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.AbstractMap.SimpleEntry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NewestJobsTest {

  private static Map.Entry<Object, Object> job(String id, long createdMillis) {
    return new SimpleEntry<>(id, Job.submitting(id, "noop", Lane.CPU, Params.NONE, createdMillis));
  }

  @Test
  void keepsTheNewestAcrossCombinedPartsAndCountsTheRest() {
    NewestJobs first = new NewestJobs(3);
    NewestJobs second = new NewestJobs(3);
    for (int i = 0; i < 10; i++) {
      (i % 2 == 0 ? first : second).accumulate(job("j" + i, i * 1_000L));
    }
    first.accumulate(new SimpleEntry<>("text", "not a job"));
    second.accumulate(new SimpleEntry<>("squat", job("j1", 99_000L).getValue()));
    second.accumulate(new SimpleEntry<>(42, "neither"));

    first.combine(second);

    assertThat(first.aggregate())
        .isEqualTo(new NewestJobs.Newest(List.of("j9", "j8", "j7"), 10, 3));
  }

  @Test
  void equalTimesAreOrderedById() {
    NewestJobs newest = new NewestJobs(2);
    newest.accumulate(job("b", 5));
    newest.accumulate(job("c", 5));
    newest.accumulate(job("a", 5));

    assertThat(newest.aggregate().ids()).containsExactly("a", "b");
  }

  @Test
  void aLimitBelowOneIsRefused() {
    assertThatThrownBy(() -> new NewestJobs(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
