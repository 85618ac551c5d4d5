package dev.crew.client.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crew.common.TaskChunk;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The one policy for what users' input really holds, applied to a file and to standard input alike:
 * the same items, or the same refusal naming the line and the byte offset.
 */
class InputPolicyTest {
  @TempDir Path dir;

  static Stream<Arguments> accepted() {
    return Stream.of(
        Arguments.of("plain LF", bytes("a\nb\nc\n"), List.of("a", "b", "c")),
        Arguments.of("no final line end", bytes("a\nb"), List.of("a", "b")),
        Arguments.of("UTF-8 byte-order mark dropped", bytes("\uFEFFa\nb\n"), List.of("a", "b")),
        Arguments.of("CRLF", bytes("a\r\nb\r\n"), List.of("a", "b")),
        Arguments.of("CR alone", bytes("a\rb\r"), List.of("a", "b")),
        Arguments.of(
            "mixed ends, empty lines kept", bytes("a\r\n\nb\r\rc"), List.of("a", "", "b", "", "c")),
        Arguments.of("multi-byte UTF-8", bytes("é\n日本\n😀\n"), List.of("é", "日本", "😀")),
        Arguments.of("empty input", new byte[0], List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("accepted")
  void accepted_sameItemsFromFileAndStream(String what, byte[] input, List<String> items)
      throws IOException {
    assertThat(readAll(fromFile(input))).as("file").isEqualTo(items);
    assertThat(readAll(LineSource.ofStandardInput(new ByteArrayInputStream(input))))
        .as("standard input")
        .isEqualTo(items);
    assertThat(readAll(new LineSource(new ByteArrayInputStream(input))))
        .as("streamed without a look-ahead")
        .isEqualTo(items);
  }

  static Stream<Arguments> refused() {
    byte[] longLine = new byte[LineDecoder.MAX_LINE_BYTES + 1];
    Arrays.fill(longLine, (byte) 'x');
    return Stream.of(
        Arguments.of(
            "invalid UTF-8 (Latin-1 é)",
            concat(bytes("ok\nab"), new byte[] {(byte) 0xE9}, bytes("c\n")),
            "input line 2 (byte offset 5): not valid UTF-8"),
        Arguments.of(
            "UTF-8 sequence cut by a line end",
            concat(bytes("ok\n"), new byte[] {(byte) 0xE6, (byte) 0x97}, bytes("\n")),
            "input line 2 (byte offset 3): not valid UTF-8"),
        Arguments.of(
            "UTF-8 encoded surrogate",
            concat(bytes("a\r\n"), new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}),
            "input line 2 (byte offset 3): not valid UTF-8"),
        Arguments.of(
            "NUL byte",
            concat(bytes("a\nb"), new byte[] {0}, bytes("c\n")),
            "input line 2 (byte offset 3): a NUL byte"),
        Arguments.of(
            "UTF-16 with a byte-order mark",
            "a\nb\n".getBytes(StandardCharsets.UTF_16),
            "input line 1 (byte offset 0): a UTF-16 byte-order mark"),
        Arguments.of(
            "UTF-16LE without a byte-order mark",
            "a\nb\n".getBytes(StandardCharsets.UTF_16LE),
            "input line 1 (byte offset 1): a NUL byte"),
        Arguments.of(
            "line over the limit",
            concat(bytes("a\n"), longLine, bytes("\n")),
            "input line 2 (byte offset 2): the line is longer than 1 MiB"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void refused_sameMessageFromFileAndStream(String what, byte[] input, String message) {
    assertThatThrownBy(() -> fromFile(input))
        .as("a file is refused when it is opened")
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith(message);
    assertThatThrownBy(() -> LineSource.ofStandardInput(new ByteArrayInputStream(input)))
        .as("standard input within the look-ahead is refused when it is opened")
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith(message);
    assertThatThrownBy(() -> readAll(new LineSource(new ByteArrayInputStream(input))))
        .as("past the look-ahead, the same refusal when the line is reached")
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith(message);
  }

  @Test
  void standardInput_pastTheLookAhead_refusedWhenReached() throws IOException {
    byte[] good = bytes("1\n".repeat(LineSource.STDIN_LOOK_AHEAD));
    byte[] input = concat(good, new byte[] {(byte) 0xFF}, bytes("\n"));
    LineSource source = LineSource.ofStandardInput(new ByteArrayInputStream(input));
    assertThat(source.next("j", 0, 1).items()).containsExactly("1");
    assertThatThrownBy(() -> readAll(source))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith(
            "input line "
                + (LineSource.STDIN_LOOK_AHEAD + 1)
                + " (byte offset "
                + good.length
                + "): not valid UTF-8");
  }

  @Test
  void standardInput_characterCutAtTheVeryEnd_refusedWhenReached() throws IOException {
    // The look-ahead cannot tell a cut character from one whose rest has not arrived yet.
    byte[] input = concat(bytes("ok\n"), new byte[] {(byte) 0xE6, (byte) 0x97});
    LineSource source = LineSource.ofStandardInput(new ByteArrayInputStream(input));
    assertThatThrownBy(() -> readAll(source))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith("input line 2 (byte offset 3): not valid UTF-8");
    assertThatThrownBy(() -> fromFile(input))
        .hasMessageStartingWith("input line 2 (byte offset 3): not valid UTF-8");
  }

  @Test
  void standardInput_lookAheadChecksOnlyWhatHasArrived() throws IOException {
    // A pipe whose writer is still writing: only the first part is there when the job starts, and
    // its last line may be cut in the middle of a character.
    byte[] first = concat(bytes("a\nb"), new byte[] {(byte) 0xC3});
    InputStream pipe =
        new SequenceInputStream(
            new ByteArrayInputStream(first), new ByteArrayInputStream(new byte[] {(byte) 0xA9}));
    assertThat(readAll(LineSource.ofStandardInput(pipe))).containsExactly("a", "bé");
  }

  @Test
  void digest_sameItemsSameDigest_fromFileOrStream() throws IOException {
    LineSource file = fromFile(bytes("\uFEFFa\r\nb\r\n"));
    assertThat(file.digest()).as("a file's digest is known at once").isPresent();
    LineSource stream = LineSource.ofStandardInput(new ByteArrayInputStream(bytes("a\nb")));
    assertThat(stream.digest()).as("standard input's only at its end").isEmpty();
    assertThat(stream.readToEnd()).isEqualTo(file.digest().orElseThrow());
    assertThat(fromFile(bytes("a\nc\n")).digest()).isNotEqualTo(file.digest());
    assertThat(fromFile(bytes("a\nb\n\n")).digest())
        .as("an empty last line is an item")
        .isNotEqualTo(file.digest());
    assertThat(new RangeSource(1, 2).digest()).isNotEqualTo(fromFile(bytes("1\n2\n")).digest());
  }

  private LineSource fromFile(byte[] content) throws IOException {
    Path file = Files.write(Files.createTempFile(dir, "input", ".txt"), content);
    return LineSource.open(file.toString());
  }

  private static List<String> readAll(ItemSource source) throws IOException {
    List<String> items = new ArrayList<>();
    for (TaskChunk chunk; (chunk = source.next("j", 0, 3)) != null; ) {
      items.addAll(Arrays.asList(chunk.items()));
    }
    return items;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
