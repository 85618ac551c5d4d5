package dev.crew.client.job;

import java.io.IOException;

/**
 * Input that Crew does not take as lines of text: its message names the problem and where it is
 * (line and byte offset), the same whether the input came from a file or from standard input.
 */
public final class BadInputException extends IOException {
  BadInputException(long line, long byteOffset, String problem) {
    super("input line " + line + " (byte offset " + byteOffset + "): " + problem);
  }
}
