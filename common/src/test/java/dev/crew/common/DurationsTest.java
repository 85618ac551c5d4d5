package dev.crew.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @Test
  void parse_milliseconds() {
    assertThat(Durations.parse("250ms", "t")).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void parse_seconds() {
    assertThat(Durations.parse("5s", "t")).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void parse_minutes() {
    assertThat(Durations.parse("2m", "t")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Durations.parse("7d", "t")).isEqualTo(Duration.ofDays(7));
  }

  @Test
  void parse_hours() {
    assertThat(Durations.parse("1h", "t")).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void parse_plainNumberIsSeconds() {
    assertThat(Durations.parse("7", "t")).isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void parse_fractionAndSpaces() {
    assertThat(Durations.parse(" 1.5s ", "t")).isEqualTo(Duration.ofMillis(1_500));
    assertThat(Durations.parse("10 ms", "t")).isEqualTo(Duration.ofMillis(10));
    assertThat(Durations.parse("0.5m", "t")).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void parse_zero() {
    assertThat(Durations.parse("0", "t")).isEqualTo(Duration.ZERO);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "abc", "5x", "-5s", "5 sec", ".5s", "1e3", "5s5", "ms"})
  void parse_garbageRefused(String text) {
    assertThatThrownBy(() -> Durations.parse(text, "the timeout"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("the timeout '" + text + "'")
        .hasMessageContaining("not a duration");
  }
}
