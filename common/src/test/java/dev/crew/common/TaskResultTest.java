package dev.crew.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TaskResultTest {

  private static TaskResult result(
      int count, int ok, int failed, String[] values, String[] errors, boolean consumed) {
    return new TaskResult(
        "j", 0, 0, count, 0, null, "w1", 0, 10, ok, failed, values, errors, consumed, "");
  }

  @Test
  void of_countsFailures() {
    TaskChunk chunk = new TaskChunk("job", 4, 40, 4, 100, null, 2);
    String[] values = {"1", null, "3", null};
    String[] errors = {null, "boom", null, "bang"};

    TaskResult result = TaskResult.of(chunk, "worker-a", 99L, values, errors);

    assertThat(result.ok()).isEqualTo(2);
    assertThat(result.failed()).isEqualTo(2);
    assertThat(result.failed(0)).isFalse();
    assertThat(result.failed(1)).isTrue();
    assertThat(result.failed(3)).isTrue();
    assertThat(result.consumed()).isFalse();
    assertThat(result.jobId()).isEqualTo("job");
    assertThat(result.seq()).isEqualTo(4);
    assertThat(result.firstIndex()).isEqualTo(40);
    assertThat(result.rangeStart()).isEqualTo(100);
    assertThat(result.attempt()).isEqualTo(2);
    assertThat(result.worker()).isEqualTo("worker-a");
    assertThat(result.elapsedNanos()).isEqualTo(99L);
    assertThat(result.taskId()).isEqualTo("job/4");
    assertThat(result.item(3)).isEqualTo("103");
  }

  @Test
  void of_allSucceeded() {
    TaskChunk chunk = TaskChunk.ofItems("job", 0, 0, new String[] {"x", "y"});

    TaskResult result =
        TaskResult.of(chunk, "w", 1L, new String[] {"1", "2"}, new String[] {null, null});

    assertThat(result.ok()).isEqualTo(2);
    assertThat(result.failed()).isZero();
    assertThat(result.items()).containsExactly("x", "y");
  }

  @Test
  void of_valuesLengthMismatchRefused() {
    TaskChunk chunk = TaskChunk.ofRange("job", 0, 0, 0, 3);

    assertThatThrownBy(() -> TaskResult.of(chunk, "w", 1L, new String[] {"1"}, new String[3]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("one value or error per item");
  }

  @Test
  void constructor_okPlusFailedNotCountRefused() {
    assertThatThrownBy(() -> result(2, 2, 1, new String[2], new String[2], false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ok 2 + failed 1 != count 2");
  }

  @Test
  void constructor_consumedStillChecksCounts() {
    assertThatThrownBy(() -> result(5, 1, 1, null, null, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("!= count 5");
  }

  @Test
  void constructor_notConsumedNeedsValues() {
    assertThatThrownBy(() -> result(1, 1, 0, null, new String[1], false))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("values");
    assertThatThrownBy(() -> result(1, 1, 0, new String[1], null, false))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("errors");
  }

  @Test
  void constructor_errorsLengthMismatchRefused() {
    assertThatThrownBy(() -> result(2, 2, 0, new String[2], new String[1], false))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void constructor_badCountRefused() {
    assertThatThrownBy(() -> result(-1, 0, -1, null, null, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not be negative");
  }

  @Test
  void constructor_itemsCountMismatchRefused() {
    assertThatThrownBy(
            () ->
                new TaskResult(
                    "j",
                    0,
                    0,
                    2,
                    0,
                    new String[] {"a"},
                    "w",
                    0,
                    0,
                    2,
                    0,
                    new String[2],
                    new String[2],
                    false,
                    ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("count 2 but 1 items");
  }

  @Test
  void asConsumed_allOkDropsItemsAndErrors() {
    TaskChunk chunk = new TaskChunk("job", 1, 0, 2, 0, new String[] {"a", "b"}, 0);
    TaskResult consumed =
        TaskResult.of(chunk, "w", 1, new String[] {"1", "2"}, new String[2]).asConsumed();
    assertThat(consumed.items()).isNull();
    assertThat(consumed.errors()).isNull();
    assertThat(consumed.hasErrors()).isFalse();
  }

  @Test
  void asConsumed_dropsValuesKeepsCountsAndFailures() {
    TaskChunk chunk = new TaskChunk("job", 7, 70, 3, 0, new String[] {"a", "b", "c"}, 1);
    TaskResult full =
        TaskResult.of(
            chunk, "w9", 555L, new String[] {"1", null, "3"}, new String[] {null, "e", null});

    TaskResult consumed = full.asConsumed();

    assertThat(consumed.consumed()).isTrue();
    assertThat(consumed.values()).isNull();
    // a task with failures keeps its items and errors, for results --failed and retry
    assertThat(consumed.items()).containsExactly("a", "b", "c");
    assertThat(consumed.errors()).containsExactly(null, "e", null);
    assertThat(consumed.hasErrors()).isTrue();
    assertThat(consumed.ok()).isEqualTo(2);
    assertThat(consumed.failed()).isEqualTo(1);
    assertThat(consumed.count()).isEqualTo(3);
    assertThat(consumed.jobId()).isEqualTo("job");
    assertThat(consumed.seq()).isEqualTo(7);
    assertThat(consumed.firstIndex()).isEqualTo(70);
    assertThat(consumed.worker()).isEqualTo("w9");
    assertThat(consumed.attempt()).isEqualTo(1);
    assertThat(consumed.elapsedNanos()).isEqualTo(555L);
    assertThat(consumed.taskId()).isEqualTo(full.taskId());
    // the original is untouched
    assertThat(full.values()).containsExactly("1", null, "3");
  }
}
