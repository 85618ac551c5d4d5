package dev.crew.coordinator.job;

import dev.crew.common.TaskChunk;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One item per line of a file or of standard input, read lazily. */
public final class LineSource implements ItemSource {
  private final BufferedReader reader;
  private long read;
  private boolean ended;

  public LineSource(BufferedReader reader) {
    this.reader = reader;
  }

  /**
   * Opens {@code name} ({@code -} for standard input) now, so a missing or unreadable file is
   * refused before anything is queued.
   */
  public static LineSource open(String name) {
    if (name.equals("-")) {
      return new LineSource(
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
    }
    Path path = Path.of(name);
    if (Files.isDirectory(path)) {
      throw new IllegalArgumentException("--input " + name + " is a directory, not a file");
    }
    try {
      return new LineSource(Files.newBufferedReader(path, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("--input " + name + ": no such file");
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "--input " + name + ": cannot read it (" + e.getMessage() + ")");
    }
  }

  @Override
  public long total() {
    return ended ? read : -1;
  }

  @Override
  public TaskChunk next(String jobId, long seq, int max) throws IOException {
    if (ended) {
      return null;
    }
    List<String> lines = new ArrayList<>(Math.min(max, 1_024));
    String line;
    while (lines.size() < max && (line = reader.readLine()) != null) {
      lines.add(line);
    }
    if (lines.size() < max) {
      ended = true;
    }
    if (lines.isEmpty()) {
      return null;
    }
    TaskChunk chunk = TaskChunk.ofItems(jobId, seq, read, lines.toArray(String[]::new));
    read += lines.size();
    return chunk;
  }

  @Override
  public long read() {
    return read;
  }

  @Override
  public void close() throws IOException {
    reader.close();
  }
}
