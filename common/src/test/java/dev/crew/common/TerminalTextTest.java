package dev.crew.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TerminalTextTest {

  @Test
  void of_plainText_sameInstance() {
    String plain = "fib-1a2b résumé 東京 \\ 42";
    assertThat(TerminalText.of(plain)).isSameAs(plain);
  }

  @Test
  void of_escapeSequences_shownAsEscapes() {
    // Retitle the window, then clear the screen.
    assertThat(TerminalText.of("job\u001b]0;owned\u0007\u001b[2J"))
        .isEqualTo("job\\u001B]0;owned\\u0007\\u001B[2J");
  }

  @Test
  void of_lineBreaksAndTabs_keepAValueOnOneLine() {
    assertThat(TerminalText.of("a\nb\rc\td")).isEqualTo("a\\u000Ab\\u000Dc\\u0009d");
  }

  @Test
  void of_everyC0DelAndC1_escaped() {
    for (char c = 0; c < 0x20; c++) {
      assertThat(TerminalText.of("x" + c)).as("U+%04X", (int) c).hasSize(7).startsWith("x\\u00");
    }
    assertThat(TerminalText.of("\u007f")).isEqualTo("\\u007F");
    for (char c = 0x80; c <= 0x9f; c++) {
      assertThat(TerminalText.of(String.valueOf(c))).isEqualTo(String.format("\\u%04X", (int) c));
    }
    assertThat(TerminalText.of("\u00a0")).isEqualTo("\u00a0");
  }

  @Test
  void of_bidiOverridesAndIsolates_escaped() {
    assertThat(TerminalText.of("ok\u202egpj.exe\u2066x\u2069"))
        .isEqualTo("ok\\u202Egpj.exe\\u2066x\\u2069");
    // Marks that only hint at direction stay: real text in right-to-left scripts uses them.
    assertThat(TerminalText.of("\u200f")).isEqualTo("\u200f");
  }

  @Test
  void of_object_nullAndValues() {
    assertThat(TerminalText.of((Object) null)).isEqualTo("null");
    assertThat(TerminalText.of(java.util.List.of("a\u001bb"))).isEqualTo("[a\\u001Bb]");
  }
}
