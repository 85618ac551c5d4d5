package dev.crew.client.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crew.common.TaskChunk;
import dev.crew.common.TaskResult;
import org.junit.jupiter.api.Test;

class KeptResultsTest {

  private static TaskResult result(long seq) {
    return TaskResult.of(
        TaskChunk.ofRange("j", seq, seq, seq, 1), "w", 0, new String[] {"1"}, new String[1]);
  }

  @Test
  void keptResults_keepTheFirstUpToTheLimit_thenNone() {
    long one = result(0).heldBytes();
    KeptResults kept = new KeptResults(2 * one + one / 2);
    assertThat(kept.keep(result(0))).isTrue();
    assertThat(kept.keep(result(1))).isTrue();
    assertThat(kept.keep(result(2))).isFalse();
    assertThat(kept.keptBytes()).isEqualTo(2 * one);
  }

  @Test
  void keptResults_zeroLimit_keepsNothing_norAConsumedResult() {
    assertThat(new KeptResults(0).keep(result(0))).isFalse();
    assertThat(new KeptResults(Long.MAX_VALUE).keep(result(0).asConsumed())).isFalse();
  }
}
