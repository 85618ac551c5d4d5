package dev.crew.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --out}: a regular file is replaced whole when the job ends; what is not a regular file is
 * written in place and stays what it was. A named pipe stands in for {@code /dev/null} here: the
 * same kind of node, but one this test may break without breaking the machine.
 */
class OutputFileTest {
  @TempDir Path dir;

  @Test
  void regularFile_keptUntilCommit_thenReplacedWhole() throws IOException {
    Path file = Files.writeString(dir.resolve("out.jsonl"), "old\n");
    try (OutputFile out = OutputFile.open(file.toString())) {
      out.writer().write("new\n");
      out.writer().flush();
      assertThat(Files.readString(file)).isEqualTo("old\n");
      out.commit();
    }
    assertThat(Files.readString(file)).isEqualTo("new\n");
    assertThat(dir.toFile().list()).containsExactly("out.jsonl");
  }

  @Test
  void notCommitted_leavesTheFileAndNoTemporary() throws IOException {
    Path file = Files.writeString(dir.resolve("out.jsonl"), "old\n");
    try (OutputFile out = OutputFile.open(file.toString())) {
      out.writer().write("new\n");
    }
    assertThat(Files.readString(file)).isEqualTo("old\n");
    assertThat(dir.toFile().list()).containsExactly("out.jsonl");
  }

  @Test
  void namedPipe_writtenInPlace_staysAPipe() throws Exception {
    Path pipe = dir.resolve("results.fifo");
    Process mkfifo = new ProcessBuilder("mkfifo", pipe.toString()).inheritIO().start();
    assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(mkfifo.exitValue()).isZero();
    CompletableFuture<String> read =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return new String(Files.readAllBytes(pipe), StandardCharsets.UTF_8);
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });
    try (OutputFile out = OutputFile.open(pipe.toString())) {
      out.writer().write("{\"index\":0}\n");
      out.commit();
    }
    assertThat(read.get(10, TimeUnit.SECONDS)).isEqualTo("{\"index\":0}\n");
    assertThat(Files.isRegularFile(pipe, LinkOption.NOFOLLOW_LINKS)).isFalse();
    assertThat(Files.exists(pipe, LinkOption.NOFOLLOW_LINKS)).isTrue();
    assertThat(dir.toFile().list()).containsExactly("results.fifo");
  }

  @Test
  void link_staysALink_itsFileIsReplaced() throws IOException {
    Path real = Files.writeString(dir.resolve("real.jsonl"), "old\n");
    Path link = Files.createSymbolicLink(dir.resolve("link.jsonl"), real);
    try (OutputFile out = OutputFile.open(link.toString())) {
      out.writer().write("new\n");
      out.commit();
    }
    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(Files.readString(real)).isEqualTo("new\n");
  }
}
