package dev.crew.common.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crew.common.ItemFunction;
import dev.crew.common.Lane;
import dev.crew.common.Params;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SleepTaskTest {
  private final SleepTask task = new SleepTask();

  private ItemFunction bound() {
    return task.bind(Params.parse(List.of()));
  }

  @Test
  void sleep_nameAndLane() {
    assertThat(task.name()).isEqualTo("sleep");
    assertThat(task.lane()).isEqualTo(Lane.IO);
  }

  @Test
  void sleep_zeroReturnsZero() throws Exception {
    assertThat(bound().apply("0")).isEqualTo(0L);
  }

  @Test
  void sleep_waitsAtLeastTheItem() throws Exception {
    long start = System.nanoTime();

    Object result = bound().apply(" 20 ");

    assertThat(result).isEqualTo(20L);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(20L);
  }

  @Test
  void sleep_interruptedThreadStops() {
    ItemFunction f = bound();
    Thread.currentThread().interrupt();
    try {
      long start = System.nanoTime();
      assertThatThrownBy(() -> f.apply("600000")).isInstanceOf(InterruptedException.class);
      assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(5);
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void sleep_negativeItem() {
    assertThatThrownBy(() -> bound().apply("-1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1")
        .hasMessageContaining("outside");
  }

  @Test
  void sleep_itemAboveOneHour() {
    assertThatThrownBy(() -> bound().apply("3600001"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("3600001")
        .hasMessageContaining("outside 0..3600000");
  }

  @Test
  void sleep_nonNumericItem() {
    assertThatThrownBy(() -> bound().apply("5s"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'5s'");
  }

  @Test
  void sleep_unknownParamRefused() {
    assertThatThrownBy(() -> task.bind(Params.parse(List.of("jitter=5"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'jitter'")
        .hasMessageContaining("sleep");
  }
}
