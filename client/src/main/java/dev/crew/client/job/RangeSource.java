package dev.crew.client.job;

import dev.crew.common.TaskChunk;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The integers {@code first..last}, inclusive; chunks carry only their start, so any range costs
 * nothing to queue.
 */
public final class RangeSource implements ItemSource {
  private static final Pattern FORMAT =
      Pattern.compile("\\s*(-?\\d{1,18})\\s*\\.\\.\\s*(-?\\d{1,18})\\s*");

  private final long first;
  private final long last;
  private long next;

  public RangeSource(long first, long last) {
    if (last < first) {
      throw new IllegalArgumentException(
          "range " + first + ".." + last + " is empty (the end is before the start)");
    }
    if (last - first >= Long.MAX_VALUE / 2) {
      throw new IllegalArgumentException("range " + first + ".." + last + " is too large");
    }
    this.first = first;
    this.last = last;
    this.next = first;
  }

  /** Parses {@code A..B}, e.g. {@code 1..40}. */
  public static RangeSource parse(String text) {
    Matcher m = FORMAT.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "bad --range '" + text + "' (expected A..B with integers, e.g. 1..40)");
    }
    return new RangeSource(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
  }

  @Override
  public long total() {
    return last - first + 1;
  }

  @Override
  public TaskChunk next(String jobId, long seq, int max) {
    if (next > last) {
      return null;
    }
    int count = (int) Math.min(max, last - next + 1);
    TaskChunk chunk = TaskChunk.ofRange(jobId, seq, next - first, next, count);
    next += count;
    return chunk;
  }

  @Override
  public Optional<String> digest() {
    return Optional.of(InputDigest.ofRange(first, last));
  }

  @Override
  public String readToEnd() {
    next = last + 1;
    return InputDigest.ofRange(first, last);
  }

  @Override
  public long read() {
    return next - first;
  }

  @Override
  public void close() {}
}
