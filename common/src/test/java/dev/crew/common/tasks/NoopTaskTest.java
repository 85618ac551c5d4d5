package dev.crew.common.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crew.common.ItemFunction;
import dev.crew.common.Lane;
import dev.crew.common.Params;
import dev.crew.common.ResultJson;
import java.util.List;
import org.junit.jupiter.api.Test;

class NoopTaskTest {
  private final NoopTask task = new NoopTask();

  private ItemFunction bound() {
    return task.bind(Params.parse(List.of()));
  }

  @Test
  void noop_nameAndLane() {
    assertThat(task.name()).isEqualTo("noop");
    assertThat(task.lane()).isEqualTo(Lane.CPU);
  }

  @Test
  void noop_numberStaysNumber() throws Exception {
    ItemFunction f = bound();
    assertThat(ResultJson.render(f.apply("42"))).isEqualTo("42");
    assertThat(ResultJson.render(f.apply("-7"))).isEqualTo("-7");
    assertThat(ResultJson.render(f.apply("0"))).isEqualTo("0");
    assertThat(ResultJson.render(f.apply("-0"))).isEqualTo("0");
    assertThat(ResultJson.render(f.apply("999999999999999999"))).isEqualTo("999999999999999999");
  }

  @Test
  void noop_leadingZerosStayText() throws Exception {
    ItemFunction f = bound();
    assertThat(ResultJson.render(f.apply("007"))).isEqualTo("\"007\"");
    assertThat(ResultJson.render(f.apply("-01"))).isEqualTo("\"-01\"");
  }

  @Test
  void noop_textStaysText() throws Exception {
    ItemFunction f = bound();
    assertThat(f.apply("hello")).isEqualTo("hello");
    assertThat(f.apply("12a")).isEqualTo("12a");
    assertThat(f.apply("1.5")).isEqualTo("1.5");
    assertThat(f.apply(" 42")).isEqualTo(" 42");
    assertThat(f.apply("+5")).isEqualTo("+5");
  }

  @Test
  void noop_edgeCasesStayText() throws Exception {
    ItemFunction f = bound();
    assertThat(f.apply("")).isEqualTo("");
    assertThat(f.apply("-")).isEqualTo("-");
    // Too long to be sure it fits in a long: kept as text rather than overflowing.
    assertThat(f.apply("9223372036854775808")).isEqualTo("9223372036854775808");
    assertThat(f.apply("-99999999999999999999")).isEqualTo("-99999999999999999999");
  }

  @Test
  void noop_unknownParamRefused() {
    assertThatThrownBy(() -> task.bind(Params.parse(List.of("x=1"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'x'")
        .hasMessageContaining("noop");
  }
}
