package dev.crew.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LaneTest {

  @Test
  void parse_lowerCase() {
    assertThat(Lane.parse("cpu")).isEqualTo(Lane.CPU);
    assertThat(Lane.parse("io")).isEqualTo(Lane.IO);
  }

  @Test
  void parse_anyCaseAndSpaces() {
    assertThat(Lane.parse(" CPU ")).isEqualTo(Lane.CPU);
    assertThat(Lane.parse("Io")).isEqualTo(Lane.IO);
  }

  @Test
  void parse_unknownRefused() {
    assertThatThrownBy(() -> Lane.parse("gpu"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'gpu'")
        .hasMessageContaining("cpu or io");
  }

  @Test
  void parse_roundTripsId() {
    for (Lane lane : Lane.values()) {
      assertThat(Lane.parse(lane.id())).isEqualTo(lane);
    }
  }

  @Test
  void id_isLowerCaseName() {
    assertThat(Lane.CPU.id()).isEqualTo("cpu");
    assertThat(Lane.IO.id()).isEqualTo("io");
  }
}
