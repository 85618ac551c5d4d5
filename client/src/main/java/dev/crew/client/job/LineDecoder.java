package dev.crew.client.job;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Reads lines of UTF-8 text from bytes, strictly, the one policy for files and standard input: a
 * UTF-8 byte-order mark at the start is dropped; LF, CRLF and CR all end a line; invalid UTF-8, a
 * NUL byte, a UTF-16 byte-order mark or a line longer than {@link #MAX_LINE_BYTES} is refused with
 * a {@link BadInputException} naming the line and the byte offset. Nothing is ever replaced
 * silently: an item that reached a task is exactly the bytes the user gave.
 */
final class LineDecoder implements AutoCloseable {
  /** The longest item: far beyond any command line or URL, short of what one item may cost. */
  static final int MAX_LINE_BYTES = 1 << 20;

  private static final int BUFFER_BYTES = 1 << 16;

  private final InputStream in;
  private final byte[] buffer = new byte[BUFFER_BYTES];
  private int position;
  private int limit;
  private boolean ended;

  /** Bytes consumed before {@code buffer[0]}. */
  private long bufferOffset;

  private byte[] line = new byte[256];
  private int lineLength;
  private long lineNumber;
  private boolean started;
  private boolean skipLineFeed;

  /** The last line read, when it was kept. */
  private String text = "";

  private final MessageDigest digest = InputDigest.start("lines");
  private final CharsetDecoder utf8 =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);

  LineDecoder(InputStream in) {
    this.in = in;
  }

  /** The next line without its end, or {@code null} at the end of the input. */
  String readLine() throws IOException {
    return next(/* keep= */ true) ? text : null;
  }

  /**
   * Reads and checks the next line without making a string of it; false at the end of the input.
   */
  boolean skipLine() throws IOException {
    return next(/* keep= */ false);
  }

  private boolean next(boolean keep) throws IOException {
    if (!started) {
      started = true;
      skipByteOrderMark();
    }
    lineNumber++;
    long lineStart = offset();
    lineLength = 0;
    boolean ascii = true;
    while (true) {
      if (position == limit && !fill()) {
        if (lineLength == 0) {
          lineNumber--;
          return false;
        }
        break;
      }
      if (skipLineFeed) {
        skipLineFeed = false;
        if (buffer[position] == '\n') {
          position++;
          lineStart++;
          continue;
        }
      }
      int start = position;
      int end = start;
      byte b = 0;
      while (end < limit) {
        b = buffer[end];
        if (b == '\n' || b == '\r' || b == 0) {
          break;
        }
        ascii &= b >= 0;
        end++;
      }
      append(start, end - start, lineStart);
      position = end;
      if (end == limit) {
        continue;
      }
      if (b == 0) {
        throw new BadInputException(
            lineNumber,
            bufferOffset + end,
            "a NUL byte: binary data (or UTF-16 without a byte-order mark), not lines of text");
      }
      position++;
      skipLineFeed = b == '\r';
      break;
    }
    if (!ascii) {
      text = decode(lineStart); // decoded even when not kept: that is the check
    } else if (keep) {
      text = new String(line, 0, lineLength, StandardCharsets.ISO_8859_1);
    }
    // The line and its end in one update: an item never holds a line end.
    if (lineLength == line.length) {
      line = Arrays.copyOf(line, lineLength + 1);
    }
    line[lineLength] = '\n';
    digest.update(line, 0, lineLength + 1);
    return true;
  }

  /** The digest of the lines read so far (see {@link InputDigest}). */
  String digest() {
    return InputDigest.finish(digest);
  }

  /** Line number of the last line read. */
  long lineNumber() {
    return lineNumber;
  }

  private void append(int from, int length, long lineStart) throws BadInputException {
    if (lineLength + length > MAX_LINE_BYTES) {
      throw new BadInputException(
          lineNumber,
          lineStart,
          "the line is longer than " + (MAX_LINE_BYTES >> 20) + " MiB, the limit of one item");
    }
    if (lineLength + length > line.length) {
      line =
          Arrays.copyOf(
              line, Math.min(MAX_LINE_BYTES, Math.max(line.length * 2, lineLength + length)));
    }
    System.arraycopy(buffer, from, line, lineLength, length);
    lineLength += length;
  }

  private String decode(long lineStart) throws BadInputException {
    ByteBuffer bytes = ByteBuffer.wrap(line, 0, lineLength);
    CharBuffer chars = CharBuffer.allocate(lineLength);
    utf8.reset();
    CoderResult result = utf8.decode(bytes, chars, /* endOfInput= */ true);
    if (!result.isError()) {
      result = utf8.flush(chars);
    }
    if (result.isError()) {
      throw new BadInputException(
          lineNumber,
          lineStart + bytes.position(),
          "not valid UTF-8; convert the input to UTF-8 first, e.g. with iconv -f LATIN1 -t UTF-8");
    }
    return chars.flip().toString();
  }

  private void skipByteOrderMark() throws IOException {
    while (limit - position < 3 && fillMore()) {
      // A mark of up to three bytes may arrive in pieces from a pipe.
    }
    int available = limit - position;
    if (available >= 3
        && buffer[position] == (byte) 0xEF
        && buffer[position + 1] == (byte) 0xBB
        && buffer[position + 2] == (byte) 0xBF) {
      position += 3;
    } else if (available >= 2
        && ((buffer[position] == (byte) 0xFE && buffer[position + 1] == (byte) 0xFF)
            || (buffer[position] == (byte) 0xFF && buffer[position + 1] == (byte) 0xFE))) {
      throw new BadInputException(
          1,
          0,
          "a UTF-16 byte-order mark; convert the input to UTF-8 first, e.g. with iconv -f UTF-16"
              + " -t UTF-8");
    }
  }

  private long offset() {
    return bufferOffset + position;
  }

  /** Refills an empty buffer; false at the end of the input. */
  private boolean fill() throws IOException {
    bufferOffset += limit;
    position = 0;
    limit = 0;
    return fillMore();
  }

  /** Reads more bytes after those still in the buffer; false at the end of the input. */
  private boolean fillMore() throws IOException {
    if (ended) {
      return false;
    }
    if (limit == buffer.length) {
      return true;
    }
    int n = in.read(buffer, limit, buffer.length - limit);
    if (n < 0) {
      ended = true;
      return false;
    }
    limit += n;
    return true;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
