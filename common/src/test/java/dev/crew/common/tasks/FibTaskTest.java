package dev.crew.common.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crew.common.ItemFunction;
import dev.crew.common.Lane;
import dev.crew.common.Params;
import java.util.List;
import org.junit.jupiter.api.Test;

class FibTaskTest {
  private final FibTask task = new FibTask();

  private ItemFunction bound() {
    return task.bind(Params.parse(List.of()));
  }

  /** Independent reference: iterative. */
  private static long fibIterative(int n) {
    long a = 0;
    long b = 1;
    for (int i = 0; i < n; i++) {
      long next = a + b;
      a = b;
      b = next;
    }
    return a;
  }

  @Test
  void fib_nameAndLane() {
    assertThat(task.name()).isEqualTo("fib");
    assertThat(task.lane()).isEqualTo(Lane.CPU);
    assertThat(task.description()).isNotBlank();
  }

  @Test
  void fib_smallValuesMatchIterative() throws Exception {
    ItemFunction fib = bound();
    for (int n = 0; n <= 30; n++) {
      assertThat(fib.apply(Integer.toString(n))).as("fib(%d)", n).isEqualTo(fibIterative(n));
    }
  }

  @Test
  void fib_knownValues() throws Exception {
    ItemFunction fib = bound();
    assertThat(fib.apply("0")).isEqualTo(0L);
    assertThat(fib.apply("1")).isEqualTo(1L);
    assertThat(fib.apply("10")).isEqualTo(55L);
    assertThat(fib.apply("20")).isEqualTo(6765L);
  }

  @Test
  void fib_itemIsTrimmed() throws Exception {
    assertThat(bound().apply(" 12 ")).isEqualTo(fibIterative(12));
  }

  @Test
  void fib_negativeItem() {
    assertThatThrownBy(() -> bound().apply("-1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1")
        .hasMessageContaining("outside 0..92");
  }

  @Test
  void fib_itemAboveMax() {
    // fib(93) no longer fits in a long.
    assertThat(fibIterative(93)).isNegative();
    assertThatThrownBy(() -> bound().apply("93"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("93")
        .hasMessageContaining("outside");
  }

  @Test
  void fib_nonNumericItem() {
    assertThatThrownBy(() -> bound().apply("ten"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'ten'")
        .hasMessageContaining("not an integer");
    assertThatThrownBy(() -> bound().apply("1.5"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'1.5'");
    assertThatThrownBy(() -> bound().apply(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("''");
  }

  @Test
  void fib_hugeNumberIsNotAnInteger() {
    assertThatThrownBy(() -> bound().apply("99999999999999999999"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("99999999999999999999");
  }

  @Test
  void fib_unknownParamRefused() {
    assertThatThrownBy(() -> task.bind(Params.parse(List.of("memo=true"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'memo'")
        .hasMessageContaining("fib");
  }
}
