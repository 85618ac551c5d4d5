package dev.crew.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TaskChunkTest {

  @Test
  void item_rangeCountsFromStart() {
    TaskChunk chunk = TaskChunk.ofRange("j", 3, 300, 1_000, 5);

    assertThat(chunk.isRange()).isTrue();
    assertThat(chunk.items()).isNull();
    assertThat(chunk.count()).isEqualTo(5);
    for (int i = 0; i < 5; i++) {
      assertThat(chunk.item(i)).isEqualTo(String.valueOf(1_000L + i));
    }
  }

  @Test
  void item_rangeBeyondIntRange() {
    long start = 5_000_000_000L;
    TaskChunk chunk = TaskChunk.ofRange("j", 0, 0, start, 2);

    assertThat(chunk.item(1)).isEqualTo("5000000001");
  }

  @Test
  void item_explicitItems() {
    TaskChunk chunk = TaskChunk.ofItems("j", 1, 10, new String[] {"a", "b", "c"});

    assertThat(chunk.isRange()).isFalse();
    assertThat(chunk.count()).isEqualTo(3);
    assertThat(chunk.firstIndex()).isEqualTo(10);
    assertThat(chunk.attempt()).isZero();
    assertThat(chunk.item(0)).isEqualTo("a");
    assertThat(chunk.item(2)).isEqualTo("c");
  }

  @Test
  void taskId_jobSlashSeq() {
    assertThat(TaskChunk.ofRange("job-7", 42, 0, 0, 1).taskId()).isEqualTo("job-7/42");
  }

  @Test
  void constructor_countMismatchRefused() {
    assertThatThrownBy(() -> new TaskChunk("j", 0, 0, 3, 0, new String[] {"a", "b"}, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("count 3 but 2 items");
  }

  @Test
  void constructor_negativeCountRefused() {
    assertThatThrownBy(() -> TaskChunk.ofRange("j", 0, 0, 0, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not be negative");
  }

  @Test
  void constructor_negativeFirstIndexRefused() {
    assertThatThrownBy(() -> TaskChunk.ofRange("j", 0, -1, 0, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not be negative");
  }

  @Test
  void constructor_negativeSeqRefused() {
    assertThatThrownBy(() -> TaskChunk.ofRange("j", -1, 0, 0, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not be negative");
  }

  @Test
  void constructor_negativeAttemptRefused() {
    assertThatThrownBy(() -> new TaskChunk("j", 0, 0, 1, 0, null, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not be negative");
  }

  @Test
  void constructor_nullJobIdRefused() {
    assertThatThrownBy(() -> TaskChunk.ofRange(null, 0, 0, 0, 1))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void constructor_emptyChunkAllowed() {
    assertThat(TaskChunk.ofItems("j", 0, 0, new String[0]).count()).isZero();
  }
}
