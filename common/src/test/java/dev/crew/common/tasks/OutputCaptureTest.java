package dev.crew.common.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutputCaptureTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** {@code text} in pieces of {@code piece} bytes, as a pipe delivers it. */
  private static InputStream pieces(String text, int piece) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    List<InputStream> parts = new java.util.ArrayList<>();
    for (int i = 0; i < bytes.length; i += piece) {
      parts.add(new ByteArrayInputStream(bytes, i, Math.min(piece, bytes.length - i)));
    }
    return new SequenceInputStream(Collections.enumeration(parts));
  }

  @Test
  void first_underLimit_keepsAllNotCut() throws Exception {
    OutputCapture out = OutputCapture.first(pieces("hello\n", 2), 10);

    assertThat(out.await(WAIT)).isTrue();
    assertThat(out.text()).isEqualTo("hello\n");
    assertThat(out.cut()).isFalse();
  }

  @Test
  void first_overLimit_keepsFirstBytesAndSaysCut() throws Exception {
    OutputCapture out = OutputCapture.first(pieces("0123456789abcdef", 3), 10);

    assertThat(out.await(WAIT)).isTrue();
    assertThat(out.text()).isEqualTo("0123456789");
    assertThat(out.cut()).isTrue();
  }

  @Test
  void last_overLimit_keepsLastBytes() throws Exception {
    for (int piece : new int[] {1, 3, 7, 16, 40}) {
      OutputCapture err = OutputCapture.last(pieces("0123456789abcdef", piece), 5);

      assertThat(err.await(WAIT)).isTrue();
      assertThat(err.text()).as("pieces of %d", piece).isEqualTo("bcdef");
      assertThat(err.cut()).isTrue();
    }
  }

  @Test
  void last_underLimit_keepsAll() throws Exception {
    OutputCapture err = OutputCapture.last(pieces("abc", 2), 5);

    assertThat(err.await(WAIT)).isTrue();
    assertThat(err.text()).isEqualTo("abc");
    assertThat(err.cut()).isFalse();
  }
}
