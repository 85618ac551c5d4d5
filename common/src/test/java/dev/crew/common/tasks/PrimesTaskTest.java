package dev.crew.common.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crew.common.ItemFunction;
import dev.crew.common.Lane;
import dev.crew.common.Params;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PrimesTaskTest {
  private static final int TABLE = 140_000;

  /** PI[n] = number of primes <= n, by trial division. */
  private static int[] pi;

  private final PrimesTask task = new PrimesTask();

  @BeforeAll
  static void countByTrialDivision() {
    pi = new int[TABLE + 1];
    int count = 0;
    for (int n = 0; n <= TABLE; n++) {
      if (isPrime(n)) {
        count++;
      }
      pi[n] = count;
    }
  }

  private static boolean isPrime(long n) {
    if (n < 2) {
      return false;
    }
    for (long d = 2; d * d <= n; d++) {
      if (n % d == 0) {
        return false;
      }
    }
    return true;
  }

  private ItemFunction bound() {
    return task.bind(Params.parse(List.of()));
  }

  @Test
  void primes_nameAndLane() {
    assertThat(task.name()).isEqualTo("primes");
    assertThat(task.lane()).isEqualTo(Lane.CPU);
  }

  @Test
  void primes_smallValuesMatchTrialDivision() throws Exception {
    ItemFunction f = bound();
    for (int n = 0; n <= 2_000; n++) {
      assertThat(f.apply(Integer.toString(n))).as("pi(%d)", n).isEqualTo((long) pi[n]);
    }
  }

  @Test
  void primes_segmentBoundariesMatchTrialDivision() throws Exception {
    ItemFunction f = bound();
    int segment = 1 << 16;
    for (int base : new int[] {segment, 2 * segment}) {
      for (int n = base - 3; n <= base + 3; n++) {
        assertThat(f.apply(Integer.toString(n))).as("pi(%d)", n).isEqualTo((long) pi[n]);
      }
    }
    assertThat(f.apply(Integer.toString(TABLE))).isEqualTo((long) pi[TABLE]);
  }

  @Test
  void primes_aroundPerfectSquaresOfPrimes() throws Exception {
    ItemFunction f = bound();
    for (int p : new int[] {2, 3, 7, 11, 101, 331}) {
      int square = p * p;
      assertThat(f.apply(Integer.toString(square)))
          .as("pi(%d)", square)
          .isEqualTo((long) pi[square]);
      assertThat(f.apply(Integer.toString(square - 1)))
          .as("pi(%d)", square - 1)
          .isEqualTo((long) pi[square - 1]);
    }
    // 1009 is prime; its square is the first n whose sieve needs 1009 as a base prime.
    long square = 1009L * 1009L;
    assertThat(isPrime(1009)).isTrue();
    assertThat(f.apply(Long.toString(square))).isEqualTo(f.apply(Long.toString(square - 1)));
    assertThat(
            (long) f.apply(Long.toString(square + 2)) - (long) f.apply(Long.toString(square - 1)))
        .isEqualTo((isPrime(square + 1) ? 1 : 0) + (isPrime(square + 2) ? 1 : 0));
  }

  @Test
  void primes_knownCounts() throws Exception {
    ItemFunction f = bound();
    assertThat(f.apply("1000000")).isEqualTo(78_498L);
    assertThat(f.apply("10000000")).isEqualTo(664_579L);
  }

  @Test
  void primes_negativeItem() {
    assertThatThrownBy(() -> bound().apply("-2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-2")
        .hasMessageContaining("outside");
  }

  @Test
  void primes_itemAboveMax() {
    assertThatThrownBy(() -> bound().apply("100000000001"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("100000000001")
        .hasMessageContaining("outside");
  }

  @Test
  void primes_nonNumericItem() {
    assertThatThrownBy(() -> bound().apply("many"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'many'");
  }

  @Test
  void primes_unknownParamRefused() {
    assertThatThrownBy(() -> task.bind(Params.parse(List.of("limit=5"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'limit'")
        .hasMessageContaining("primes");
  }
}
