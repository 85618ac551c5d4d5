package dev.crew.client.job;

import dev.crew.common.TaskChunk;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One item per line of a file or of standard input, read lazily and decoded by a {@link
 * LineDecoder}, the same policy for both.
 */
public final class LineSource implements ItemSource {
  /**
   * How much of standard input is checked before anything is queued (of what has already arrived):
   * enough for the inputs typed or piped by hand and for a line over the limit, little enough to
   * hold in memory.
   */
  static final int STDIN_LOOK_AHEAD = 4 * LineDecoder.MAX_LINE_BYTES;

  private final LineDecoder decoder;
  private final Optional<String> checkedDigest;
  private long read;
  private boolean ended;

  public LineSource(InputStream in) {
    this(new LineDecoder(in), Optional.empty());
  }

  private LineSource(LineDecoder decoder, Optional<String> checkedDigest) {
    this.decoder = decoder;
    this.checkedDigest = checkedDigest;
  }

  /**
   * Opens {@code name} ({@code -} for standard input) now, so that a missing or unreadable file, or
   * bad bytes, are refused before anything is queued: a file is checked whole, standard input as
   * far as it has arrived, up to {@link #STDIN_LOOK_AHEAD}.
   *
   * @throws IllegalArgumentException if the file cannot be read
   * @throws BadInputException if the input is not lines of UTF-8 text
   */
  public static LineSource open(String name) throws BadInputException {
    if (name.equals("-")) {
      return ofStandardInput(System.in);
    }
    Path path = Path.of(name);
    if (Files.isDirectory(path)) {
      throw new IllegalArgumentException("--input " + name + " is a directory, not a file");
    }
    try {
      String digest;
      try (LineDecoder check = new LineDecoder(Files.newInputStream(path))) {
        while (check.skipLine()) {
          // Only the check and the digest: a file can be read twice, so it is refused whole or not.
        }
        digest = check.digest();
      }
      return new LineSource(new LineDecoder(Files.newInputStream(path)), Optional.of(digest));
    } catch (BadInputException e) {
      throw e;
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("--input " + name + ": no such file");
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "--input " + name + ": cannot read it (" + e.getMessage() + ")");
    }
  }

  /**
   * Reads what has already arrived on {@code in}, up to {@link #STDIN_LOOK_AHEAD}, checks it, then
   * reads those bytes again followed by the rest of the stream.
   */
  static LineSource ofStandardInput(InputStream in) throws BadInputException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    boolean ended = false;
    try {
      byte[] buffer = new byte[1 << 16];
      do {
        int n = in.read(buffer, 0, Math.min(buffer.length, STDIN_LOOK_AHEAD - head.size()));
        if (n < 0) {
          ended = true;
          break;
        }
        head.write(buffer, 0, n);
      } while (head.size() < STDIN_LOOK_AHEAD && in.available() > 0);
    } catch (IOException e) {
      throw new IllegalArgumentException("--input -: cannot read it (" + e.getMessage() + ")");
    }
    byte[] bytes = head.toByteArray();
    int complete = ended ? bytes.length : withoutCutCharacter(bytes);
    try (LineDecoder check = new LineDecoder(new ByteArrayInputStream(bytes, 0, complete))) {
      while (check.skipLine()) {
        // Only the check: the same bytes are read again below.
      }
    } catch (BadInputException e) {
      throw e;
    } catch (IOException e) {
      throw new IllegalStateException("reading bytes in memory failed", e);
    }
    InputStream again =
        ended
            ? new ByteArrayInputStream(bytes)
            : new SequenceInputStream(new ByteArrayInputStream(bytes), in);
    return new LineSource(again);
  }

  /**
   * The length of {@code bytes} without a UTF-8 character cut at the end, whose rest has not
   * arrived yet.
   */
  static int withoutCutCharacter(byte[] bytes) {
    for (int back = 1; back <= Math.min(3, bytes.length); back++) {
      int b = bytes[bytes.length - back] & 0xFF;
      if (b < 0x80) {
        return bytes.length; // ASCII: nothing cut
      }
      if (b >= 0xC0) {
        int length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
        return length > back ? bytes.length - back : bytes.length;
      }
    }
    return bytes.length;
  }

  @Override
  public long total() {
    return ended ? read : -1;
  }

  /** Known at once for a file (it was checked whole), and for standard input once it has ended. */
  @Override
  public Optional<String> digest() {
    return checkedDigest.isPresent() || !ended ? checkedDigest : Optional.of(decoder.digest());
  }

  /**
   * Reads the rest of the input without handing it out, for its digest.
   *
   * @return the digest of the whole input
   */
  @Override
  public String readToEnd() throws IOException {
    while (!ended) {
      if (!decoder.skipLine()) {
        ended = true;
      } else {
        read++;
      }
    }
    return digest().orElseThrow();
  }

  @Override
  public TaskChunk next(String jobId, long seq, int max) throws IOException {
    if (ended) {
      return null;
    }
    List<String> lines = new ArrayList<>(Math.min(max, 1_024));
    String line;
    while (lines.size() < max && (line = decoder.readLine()) != null) {
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
    decoder.close();
  }
}
