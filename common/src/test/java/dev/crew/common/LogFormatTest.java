package dev.crew.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LogFormatTest {

  @Test
  void logFormat_argumentWinsOverEnvironment() {
    assertThat(LogFormat.of(List.of("--log-format", "json"), "text")).isEqualTo(LogFormat.json);
    assertThat(LogFormat.of(List.of("--log-format=text"), "json")).isEqualTo(LogFormat.text);
    assertThat(LogFormat.of(List.of("status", "--log-format=JSON"), null))
        .isEqualTo(LogFormat.json);
  }

  @Test
  void logFormat_environmentOrTextByDefault() {
    assertThat(LogFormat.of(List.of("status"), "json")).isEqualTo(LogFormat.json);
    assertThat(LogFormat.of(List.of(), null)).isEqualTo(LogFormat.text);
    assertThat(LogFormat.of(List.of(), " ")).isEqualTo(LogFormat.text);
  }

  @Test
  void logFormat_unknownValue_leftToTheCommandLineToRefuse() {
    // main() must not fail before picocli can print its one-line usage error.
    assertThat(LogFormat.of(List.of("--log-format", "xml"), null)).isEqualTo(LogFormat.text);
  }
}
