package dev.crew.client.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How soon a reader that found results reads again, on times passed in. */
class ReadPaceTest {
  private static final long MS = 1_000_000;
  private static final double SLOW_TASK = 200.0 * MS;

  @Test
  void afterRead_firstRead_readsAgainAtOnce() {
    ReadPace pace = new ReadPace(32, Duration.ofMillis(10));

    assertThat(pace.afterRead(1, SLOW_TASK, 0, MS)).isZero();
  }

  @Test
  void afterRead_aTrickle_waitsTheCapFromTheReadsStart() {
    ReadPace pace = new ReadPace(32, Duration.ofMillis(10));
    pace.afterRead(2, SLOW_TASK, 0, MS);

    // 2 results in 10 ms: 200 a second, 32 due in 160 ms; the cap, 10 ms after the read's start.
    assertThat(pace.afterRead(2, SLOW_TASK, 10 * MS, 12 * MS)).isEqualTo(8 * MS);
  }

  @Test
  void afterRead_resultsComingFast_waitsForABatchOnly() {
    ReadPace pace = new ReadPace(32, Duration.ofMillis(10));
    pace.afterRead(1, SLOW_TASK, 0, 0);

    // 16 results in 1 ms: 16,000 a second, 32 due 2 ms after this read's start.
    assertThat(pace.afterRead(16, SLOW_TASK, MS, MS + MS / 2)).isEqualTo(3 * MS / 2);
  }

  @Test
  void afterRead_aFullBatch_readsAgainAtOnce() {
    ReadPace pace = new ReadPace(32, Duration.ofMillis(10));
    pace.afterRead(1, SLOW_TASK, 0, MS);

    assertThat(pace.afterRead(32, SLOW_TASK, 50 * MS, 51 * MS)).isZero();
  }

  @Test
  void afterRead_aReadLongerThanTheWait_readsAgainAtOnce() {
    ReadPace pace = new ReadPace(32, Duration.ofMillis(10));
    pace.afterRead(2, SLOW_TASK, 0, MS);

    assertThat(pace.afterRead(2, SLOW_TASK, 10 * MS, 25 * MS)).isZero();
  }

  @Test
  void afterRead_shortTasks_waitAQuarterOfATaskAtMost() {
    ReadPace pace = new ReadPace(32, Duration.ofMillis(10));
    pace.afterRead(1, 4.0 * MS, 0, 0);

    // A trickle of 4 ms tasks: each result waits 1 ms at most, not the 10 ms cap.
    assertThat(pace.afterRead(1, 4.0 * MS, 10 * MS, 10 * MS)).isEqualTo(MS);
    // Tasks of unknown length (not measured yet): no wait.
    assertThat(pace.afterRead(1, 0, 20 * MS, 20 * MS)).isZero();
  }

  @Test
  void afterEmptyRead_rateCountsFromTheEmptyRead() {
    ReadPace pace = new ReadPace(32, Duration.ofMillis(10));
    pace.afterRead(1, SLOW_TASK, 0, 0);
    pace.afterEmptyRead(99 * MS);

    // 16 results since the empty read 1 ms before (16,000 a second, not 160 over 100 ms): 32 are
    // due 2 ms after this read's start.
    assertThat(pace.afterRead(16, SLOW_TASK, 100 * MS, 100 * MS)).isEqualTo(2 * MS);
  }

  @Test
  void constructor_badArguments_refused() {
    assertThatThrownBy(() -> new ReadPace(0, Duration.ofMillis(10)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ReadPace(32, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
