package dev.crew.common.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The silence rules of {@link HeartbeatWatch}, on a clock moved by hand. */
class HeartbeatWatchTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(3);
  private static final long SECOND = 1_000_000_000L;

  private final HeartbeatWatch watch = new HeartbeatWatch(TIMEOUT);

  @Test
  void silent_aMemberWhoseBeatStandsStillForTheTimeout() {
    long t = 0;
    for (long beat = 1; beat <= 4; beat++, t += SECOND) {
      assertThat(watch.silent("judge", Map.of("judge", beat, "b", 7L), t)).isEmpty();
    }
    // b's beat is 3 s old at t = 3 s: not yet over the timeout.
    assertThat(watch.silent("judge", Map.of("judge", 5L, "b", 7L), 3 * SECOND)).isEmpty();
    assertThat(watch.silent("judge", Map.of("judge", 6L, "b", 7L), 3 * SECOND + 1))
        .containsExactly("b");
    // Reported once; b starts a fresh timeout from there.
    assertThat(watch.silent("judge", Map.of("judge", 7L, "b", 7L), 4 * SECOND)).isEmpty();
    assertThat(watch.silent("judge", Map.of("judge", 8L, "b", 7L), 6 * SECOND)).isEmpty();
    assertThat(watch.silent("judge", Map.of("judge", 9L, "b", 7L), 7 * SECOND + 1))
        .containsExactly("b");
  }

  @Test
  void silent_noneWhileAMovingBeatKeepsMoving() {
    for (long t = 0, beat = 0; t < 20 * SECOND; t += SECOND / 2, beat++) {
      assertThat(watch.silent("judge", Map.of("judge", beat, "b", beat * 3), t)).isEmpty();
    }
  }

  @Test
  void silent_noneWhileTheJudgesOwnBeatStandsStill() {
    assertThat(watch.silent("judge", Map.of("judge", 1L, "b", 1L), 0)).isEmpty();
    for (long t = SECOND; t <= 10 * SECOND; t += SECOND) {
      assertThat(watch.silent("judge", Map.of("judge", 1L, "b", 1L), t))
          .as("at %d s", t / SECOND)
          .isEmpty();
    }
    // Once the judge's beats arrive again, b's silence counts from when it was first seen.
    assertThat(watch.silent("judge", Map.of("judge", 2L, "b", 1L), 11 * SECOND))
        .containsExactly("b");
  }

  /**
   * A read that waited on a cut-off partition owner returns long after the last one: b's beat it
   * shows is old because b's writes to that partition waited too, not because b stopped.
   */
  @Test
  void silent_timeBetweenReadsFurtherApartThanTheTimeoutDoesNotCount() {
    assertThat(watch.silent("judge", Map.of("judge", 1L, "b", 1L), 0)).isEmpty();
    assertThat(watch.silent("judge", Map.of("judge", 2L, "b", 1L), 10 * SECOND)).isEmpty();
    assertThat(watch.silent("judge", Map.of("judge", 3L, "b", 1L), 12 * SECOND)).isEmpty();
    assertThat(watch.silent("judge", Map.of("judge", 4L, "b", 2L), 13 * SECOND)).isEmpty();
    assertThat(watch.silent("judge", Map.of("judge", 5L, "b", 2L), 15 * SECOND)).isEmpty();
    // Had b really stopped, it is found silent a timeout after the watch resumed.
    assertThat(watch.silent("judge", Map.of("judge", 6L, "b", 2L), 16 * SECOND + 1))
        .containsExactly("b");
  }

  @Test
  void silent_aNewMemberGetsAFullTimeout_aMemberGoneIsForgotten() {
    assertThat(watch.silent("judge", Map.of("judge", 1L), 0)).isEmpty();
    assertThat(watch.silent("judge", Map.of("judge", 2L, "c", -1L), 2 * SECOND)).isEmpty();
    assertThat(watch.silent("judge", Map.of("judge", 3L, "c", -1L), 5 * SECOND)).isEmpty();
    assertThat(watch.silent("judge", Map.of("judge", 4L, "c", -1L), 5 * SECOND + 1))
        .containsExactly("c");
    assertThat(watch.silent("judge", Map.of("judge", 5L, "d", 9L), 6 * SECOND)).isEmpty();
    assertThat(watch.silent("judge", Map.of("judge", 6L, "d", 9L), 8 * SECOND)).isEmpty();
    assertThat(watch.silent("judge", Map.of("judge", 7L, "d", 9L), 9 * SECOND + 1))
        .containsExactly("d");
  }

  @Test
  void forget_startsAfresh() {
    assertThat(watch.silent("judge", Map.of("judge", 1L, "b", 1L), 0)).isEmpty();
    watch.forget();
    // After forgetting, a read long after the last is a first look, not a gap to excuse.
    assertThat(watch.silent("judge", Map.of("judge", 1L, "b", 1L), 60 * SECOND)).isEmpty();
    assertThat(watch.silent("judge", Map.of("judge", 2L, "b", 1L), 62 * SECOND)).isEmpty();
    assertThat(watch.silent("judge", Map.of("judge", 3L, "b", 1L), 63 * SECOND + 1))
        .containsExactly("b");
  }
}
