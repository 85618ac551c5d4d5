package dev.crew.client.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crew.common.TaskChunk;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourcesTest {

  @Test
  void range_parsesAndCutsIntoChunks() {
    RangeSource range = RangeSource.parse(" 5..14 ");
    assertThat(range.total()).isEqualTo(10);
    List<TaskChunk> chunks = new ArrayList<>();
    for (TaskChunk c; (c = range.next("j", chunks.size(), 4)) != null; ) {
      chunks.add(c);
    }
    assertThat(chunks).extracting(TaskChunk::count).containsExactly(4, 4, 2);
    assertThat(chunks).extracting(TaskChunk::firstIndex).containsExactly(0L, 4L, 8L);
    assertThat(chunks.get(2).item(1)).isEqualTo("14");
    assertThat(chunks).allMatch(TaskChunk::isRange);
    assertThat(range.read()).isEqualTo(10);
  }

  @Test
  void range_negativeNumbersWork() {
    RangeSource range = RangeSource.parse("-3..-1");
    assertThat(range.next("j", 0, 10).item(0)).isEqualTo("-3");
  }

  @Test
  void range_malformedRefused() {
    for (String bad : List.of("1..x", "1-5", "..5", "5..", "", "1...5")) {
      assertThatThrownBy(() -> RangeSource.parse(bad)).hasMessageContaining("bad --range");
    }
  }

  @Test
  void range_backwardsRefused() {
    assertThatThrownBy(() -> RangeSource.parse("5..1")).hasMessageContaining("is empty");
  }

  @Test
  void lines_streamInChunksAndKnowTheTotalAtTheEnd() throws IOException {
    LineSource lines =
        new LineSource(new ByteArrayInputStream(("a\nb\nc\n").getBytes(StandardCharsets.UTF_8)));
    assertThat(lines.total()).isEqualTo(-1);
    TaskChunk first = lines.next("j", 0, 2);
    assertThat(first.items()).containsExactly("a", "b");
    TaskChunk second = lines.next("j", 1, 2);
    assertThat(second.items()).containsExactly("c");
    assertThat(second.firstIndex()).isEqualTo(2);
    assertThat(lines.next("j", 2, 2)).isNull();
    assertThat(lines.total()).isEqualTo(3);
  }

  @Test
  void lines_missingFileRefusedBeforeReading() {
    assertThatThrownBy(() -> LineSource.open("/no/such/file"))
        .hasMessage("--input /no/such/file: no such file");
  }

  @Test
  void lines_directoryRefused(@TempDir Path dir) {
    assertThatThrownBy(() -> LineSource.open(dir.toString()))
        .hasMessageContaining("is a directory");
  }

  @Test
  void lines_fileIsRead(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("in.txt"), "1\n2\n");
    try (LineSource lines = LineSource.open(file.toString())) {
      assertThat(lines.next("j", 0, 10).items()).containsExactly("1", "2");
    }
  }
}
