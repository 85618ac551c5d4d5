package dev.crew.common.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crew.common.ItemFunction;
import dev.crew.common.Lane;
import dev.crew.common.Params;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SumSquaresTaskTest {
  private final SumSquaresTask task = new SumSquaresTask();

  private ItemFunction bound() {
    return task.bind(Params.parse(List.of()));
  }

  /** Sum of i*i for 0 <= i < n by the closed form n(n-1)(2n-1)/6. */
  private static BigInteger closedForm(long n) {
    BigInteger big = BigInteger.valueOf(n);
    return big.multiply(big.subtract(BigInteger.ONE))
        .multiply(big.shiftLeft(1).subtract(BigInteger.ONE))
        .divide(BigInteger.valueOf(6));
  }

  @Test
  void sumSquares_nameAndLane() {
    assertThat(task.name()).isEqualTo("sum-squares");
    assertThat(task.lane()).isEqualTo(Lane.CPU);
  }

  @Test
  void sumSquares_smallValuesMatchClosedForm() throws Exception {
    ItemFunction f = bound();
    BigInteger running = BigInteger.ZERO;
    for (long n = 0; n <= 300; n++) {
      assertThat(f.apply(Long.toString(n)))
          .as("n=%d", n)
          .isEqualTo(running)
          .isEqualTo(closedForm(n));
      running = running.add(BigInteger.valueOf(n * n));
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {65_535, 65_536, 65_537, 131_072, 131_073, 1_000_000, 10_000_000})
  void sumSquares_blockBoundariesMatchClosedForm(long n) throws Exception {
    assertThat(bound().apply(Long.toString(n))).isEqualTo(closedForm(n));
  }

  /**
   * The task accepts n up to 3,000,000,000 and promises an exact result, but a 65,536-term block of
   * squares overflows a long once the terms pass about 1.2e7^2 (the first wrong n is 11,927,208).
   */
  @ParameterizedTest
  @ValueSource(longs = {12_000_000, 20_000_000})
  void sumSquares_largeNStaysExact(long n) throws Exception {
    assertThat(bound().apply(Long.toString(n))).isEqualTo(closedForm(n));
  }

  @Test
  void sumSquares_negativeItem() {
    assertThatThrownBy(() -> bound().apply("-5"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-5")
        .hasMessageContaining("outside");
  }

  @Test
  void sumSquares_itemAboveMax() {
    assertThatThrownBy(() -> bound().apply("3000000001"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("3000000001")
        .hasMessageContaining("outside 0..3000000000");
  }

  @Test
  void sumSquares_nonNumericItem() {
    assertThatThrownBy(() -> bound().apply("1e6"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'1e6'");
  }

  @Test
  void sumSquares_interruptedThreadStops() {
    ItemFunction f = bound();
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> f.apply("1000"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("interrupted");
      assertThat(Thread.currentThread().isInterrupted()).as("interrupt flag is kept").isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void sumSquares_unknownParamRefused() {
    assertThatThrownBy(() -> task.bind(Params.parse(List.of("from=3"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'from'")
        .hasMessageContaining("sum-squares");
  }
}
