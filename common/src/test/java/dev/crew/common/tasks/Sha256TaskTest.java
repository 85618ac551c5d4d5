package dev.crew.common.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crew.common.ItemFunction;
import dev.crew.common.Lane;
import dev.crew.common.Params;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Sha256TaskTest {
  private final Sha256Task task = new Sha256Task();

  @TempDir Path dir;

  private ItemFunction bound() {
    return task.bind(Params.parse(List.of()));
  }

  private static String reference(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  @Test
  void sha256_nameAndLane() {
    assertThat(task.name()).isEqualTo("sha256");
    assertThat(task.lane()).isEqualTo(Lane.CPU);
  }

  @Test
  void sha256_knownVectorAbc() throws Exception {
    Path file = Files.writeString(dir.resolve("abc.txt"), "abc", StandardCharsets.US_ASCII);

    assertThat(bound().apply(file.toString()))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void sha256_emptyFile() throws Exception {
    Path file = Files.createFile(dir.resolve("empty"));

    assertThat(bound().apply(file.toString()))
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        .isEqualTo(reference(new byte[0]));
  }

  @Test
  void sha256_largeFileMatchesMessageDigest() throws Exception {
    // Larger than the task's 64 KiB read buffer and not a multiple of it.
    byte[] bytes = new byte[200_003];
    new Random(42).nextBytes(bytes);
    Path file = Files.write(dir.resolve("random.bin"), bytes);

    assertThat(bound().apply(file.toString())).isEqualTo(reference(bytes));
  }

  @Test
  void sha256_itemIsTrimmed() throws Exception {
    byte[] bytes = "hello\n".getBytes(StandardCharsets.UTF_8);
    Path file = Files.write(dir.resolve("hello.txt"), bytes);

    assertThat(bound().apply("  " + file + " ")).isEqualTo(reference(bytes));
  }

  @Test
  void sha256_missingFile() {
    Path missing = dir.resolve("nope.txt");

    assertThatThrownBy(() -> bound().apply(missing.toString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no such file")
        .hasMessageContaining(missing.toString());
  }

  @Test
  void sha256_directory() {
    assertThatThrownBy(() -> bound().apply(dir.toString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is a directory")
        .hasMessageContaining(dir.toString());
  }

  @Test
  void sha256_invalidPath() {
    assertThatThrownBy(() -> bound().apply("bad\0name"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a path")
        .hasMessageContaining("bad");
  }

  @Test
  void sha256_unknownParamRefused() {
    assertThatThrownBy(() -> task.bind(Params.parse(List.of("algorithm=md5"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'algorithm'")
        .hasMessageContaining("sha256");
  }
}
