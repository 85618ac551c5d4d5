package dev.crew.client.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crew.common.Lane;
import org.junit.jupiter.api.Test;

class LaneChoiceTest {

  @Test
  void of_mostlyComputingItemsGoToTheCpuLane() {
    LaneChoice choice = LaneChoice.of(2, 100_000_000, 97_000_000);

    assertThat(choice.lane()).isEqualTo(Lane.CPU);
    assertThat(choice.describe()).isEqualTo("lane auto: cpu (items 97% on CPU, 2 measured)");
  }

  @Test
  void of_mostlyWaitingItemsGoToTheIoLane() {
    LaneChoice choice = LaneChoice.of(2, 1_000_000_000, 6_000_000);

    assertThat(choice.lane()).isEqualTo(Lane.IO);
    assertThat(choice.describe()).isEqualTo("lane auto: io (items 1% on CPU, 2 measured)");
  }

  @Test
  void of_aTieGoesToTheCpuLane() {
    assertThat(LaneChoice.of(2, 1_000, 500).lane()).isEqualTo(Lane.CPU);
    assertThat(LaneChoice.of(2, 1_000, 499).lane()).isEqualTo(Lane.IO);
  }

  @Test
  void of_oneItemIsEnoughToChoose() {
    assertThat(LaneChoice.of(1, 50_000_000, 10_000).lane()).isEqualTo(Lane.IO);
    assertThat(LaneChoice.of(1, 50_000_000, 49_000_000).lane()).isEqualTo(Lane.CPU);
  }

  @Test
  void of_nothingMeasuredStaysOnTheCpuLaneAndSaysSo() {
    for (LaneChoice none :
        new LaneChoice[] {LaneChoice.of(0, 0, 0), LaneChoice.of(2, 0, 0), LaneChoice.of(0, 5, 5)}) {
      assertThat(none.lane()).isEqualTo(Lane.CPU);
      assertThat(none.items()).isZero();
      assertThat(none.describe()).isEqualTo("lane auto: cpu (no item measured)");
    }
  }

  @Test
  void of_cpuTimeBeyondTheItemsTimeCountsAsAllComputing() {
    // Microsecond items: the task's own handling around them is on the CPU too.
    LaneChoice choice = LaneChoice.of(2, 2_000, 9_000);

    assertThat(choice.lane()).isEqualTo(Lane.CPU);
    assertThat(choice.cpuShare()).isEqualTo(1.0);
  }

  @Test
  void new_refusesAShareOutsideZeroToOne() {
    assertThatThrownBy(() -> new LaneChoice(Lane.IO, 1, 1.5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LaneChoice(Lane.IO, -1, 0.5))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
