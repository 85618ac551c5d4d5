package dev.crew.common.reducers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crew.common.Reducer;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

/** sum, count, min, max and mean, on JSON values as the workers send them. */
class BuiltInReducersTest {

  /** What {@code reducer} makes of {@code values}, and how many it left out. */
  private record Reduced(String result, long leftOut) {}

  private static Reduced reduce(Reducer reducer, String... values) {
    Reducer.Accumulator accumulator = reducer.start();
    long leftOut = 0;
    for (String value : values) {
      if (!accumulator.add(value)) {
        leftOut++;
      }
    }
    return new Reduced(accumulator.result(), leftOut);
  }

  private static final List<String> NOT_NUMBERS =
      List.of("\"text\"", "\"12\"", "true", "null", "{\"a\":1}", "[1,2]", "NaN", "Infinity");

  @Test
  void sum_hugeIntegersExactly() {
    String big = "9223372036854775807";

    Reduced sum = reduce(new SumReducer(), big, big, "123456789012345678901234567890");

    assertThat(sum.result())
        .isEqualTo(
            new BigInteger(big)
                .multiply(BigInteger.TWO)
                .add(new BigInteger("123456789012345678901234567890"))
                .toString());
  }

  @Test
  void sum_decimalsExactlyWithoutExponent() {
    assertThat(reduce(new SumReducer(), "0.1", "0.2").result()).isEqualTo("0.3");
    assertThat(reduce(new SumReducer(), "1e3", "-1.5").result()).isEqualTo("998.5");
    assertThat(reduce(new SumReducer(), "1E+20").result()).isEqualTo("100000000000000000000");
  }

  @Test
  void sum_ofNothingIsZero() {
    assertThat(reduce(new SumReducer()).result()).isEqualTo("0");
  }

  @Test
  void sum_nonNumbersLeftOutAndCounted() {
    Reduced sum = reduce(new SumReducer(), concat("4", NOT_NUMBERS, "5"));

    assertThat(sum.result()).isEqualTo("9");
    assertThat(sum.leftOut()).isEqualTo(NOT_NUMBERS.size());
  }

  @Test
  void count_countsEveryValueNumberOrNot() {
    Reduced count = reduce(new CountReducer(), concat("4", NOT_NUMBERS, "5"));

    assertThat(count.result()).isEqualTo(Integer.toString(NOT_NUMBERS.size() + 2));
    assertThat(count.leftOut()).isZero();
    assertThat(reduce(new CountReducer()).result()).isEqualTo("0");
  }

  @Test
  void minMax_exactOverHugeAndNegativeNumbers() {
    String[] values = {"3", "-12345678901234567890.5", "2.5", "98765432109876543210", "\"x\""};

    Reduced min = reduce(new MinReducer(), values);
    Reduced max = reduce(new MaxReducer(), values);

    assertThat(min.result()).isEqualTo("-12345678901234567890.5");
    assertThat(max.result()).isEqualTo("98765432109876543210");
    assertThat(min.leftOut()).isEqualTo(1);
    assertThat(max.leftOut()).isEqualTo(1);
  }

  @Test
  void minMax_ofNothingNumericIsNull() {
    assertThat(reduce(new MinReducer()).result()).isEqualTo("null");
    assertThat(reduce(new MaxReducer(), "\"x\"").result()).isEqualTo("null");
  }

  @Test
  void mean_exactWhenTheQuotientEnds() {
    String[] oneToHundred = new String[100];
    for (int i = 0; i < 100; i++) {
      oneToHundred[i] = Integer.toString(i + 1);
    }

    assertThat(reduce(new MeanReducer(), oneToHundred).result()).isEqualTo("50.5");
    assertThat(reduce(new MeanReducer(), "1", "2", "3").result()).isEqualTo("2");
    assertThat(reduce(new MeanReducer(), "0.1", "0.2").result()).isEqualTo("0.15");
    assertThat(reduce(new MeanReducer(), "-7").result()).isEqualTo("-7");
  }

  @Test
  void mean_roundedTo34SignificantDigitsWhenItDoesNotEnd() {
    assertThat(reduce(new MeanReducer(), "1", "2", "2").result())
        .isEqualTo("1.666666666666666666666666666666667");
    assertThat(reduce(new MeanReducer(), "1", "0", "0").result())
        .isEqualTo("0.3333333333333333333333333333333333");
  }

  @Test
  void mean_ofHugeIntegersStaysExactAndPlain() {
    String big = "123456789012345678901234567890";

    assertThat(reduce(new MeanReducer(), big, big).result()).isEqualTo(big);
    assertThat(reduce(new MeanReducer(), "1e30", "1e30").result())
        .isEqualTo("1000000000000000000000000000000");
  }

  @Test
  void mean_ofNothingNumericIsNullAndNonNumbersAreCounted() {
    assertThat(reduce(new MeanReducer()).result()).isEqualTo("null");
    Reduced mean = reduce(new MeanReducer(), concat("4", NOT_NUMBERS, "5"));
    assertThat(mean.result()).isEqualTo("4.5");
    assertThat(mean.leftOut()).isEqualTo(NOT_NUMBERS.size());
  }

  private static String[] concat(String first, List<String> middle, String last) {
    String[] all = new String[middle.size() + 2];
    all[0] = first;
    for (int i = 0; i < middle.size(); i++) {
      all[i + 1] = middle.get(i);
    }
    all[all.length - 1] = last;
    return all;
  }
}
