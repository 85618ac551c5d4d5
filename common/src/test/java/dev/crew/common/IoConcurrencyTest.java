package dev.crew.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IoConcurrencyTest {
  @Test
  void parse_autoInAnyCaseIsAuto() {
    assertThat(IoConcurrency.parse("auto")).isEqualTo(IoConcurrency.AUTO);
    assertThat(IoConcurrency.parse(" AUTO ")).isEqualTo(IoConcurrency.AUTO);
  }

  @Test
  void parse_numberFixesIt() {
    assertThat(IoConcurrency.parse("1")).isEqualTo(1);
    assertThat(IoConcurrency.parse("10000")).isEqualTo(IoConcurrency.CEILING);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-5", "10001", "many", ""})
  void option_anythingElseIsOneLineNamingTheOption(String text) {
    assertThatThrownBy(() -> IoConcurrency.option(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--io-concurrency ")
        .hasMessageNotContaining("\n");
  }

  @Test
  void describe_readsAsTheOptionIsWritten() {
    assertThat(IoConcurrency.describe(IoConcurrency.AUTO)).isEqualTo("auto");
    assertThat(IoConcurrency.describe(250)).isEqualTo("250");
  }
}
