package dev.crew.common.tasks;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What a command wrote on one of its streams, read to the end on a virtual thread of its own (so
 * that the command never blocks on a full pipe) and kept within a bound: the first {@code limit}
 * bytes, or the last. Whatever is cut is counted, never held.
 */
final class OutputCapture {
  private final int limit;
  private final boolean keepLast;
  private final ByteArrayOutputStream kept;
  private final CountDownLatch done = new CountDownLatch(1);
  private long total;

  private OutputCapture(int limit, boolean keepLast) {
    if (limit <= 0) {
      throw new IllegalArgumentException("limit must be positive: " + limit);
    }
    this.limit = limit;
    this.keepLast = keepLast;
    this.kept = new ByteArrayOutputStream(Math.min(limit, 8192));
  }

  /** Keeps the first {@code limit} bytes of {@code in}. */
  static OutputCapture first(InputStream in, int limit) {
    return new OutputCapture(limit, /* keepLast= */ false).start(in);
  }

  /** Keeps the last {@code limit} bytes of {@code in} (an error message comes at the end). */
  static OutputCapture last(InputStream in, int limit) {
    return new OutputCapture(limit, /* keepLast= */ true).start(in);
  }

  private OutputCapture start(InputStream in) {
    Thread.ofVirtual().name("crew-exec-output").start(() -> readAll(in));
    return this;
  }

  private void readAll(InputStream stream) {
    byte[] buffer = new byte[8192];
    try (InputStream in = stream) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        keep(buffer, n);
      }
    } catch (IOException e) {
      // the stream was closed under us: keep what was read
    } finally {
      done.countDown();
    }
  }

  private synchronized void keep(byte[] buffer, int n) {
    total += n;
    if (!keepLast) {
      kept.write(buffer, 0, Math.min(n, limit - kept.size()));
      return;
    }
    if (n >= limit) {
      kept.reset();
      kept.write(buffer, n - limit, limit);
    } else {
      int over = kept.size() + n - limit;
      if (over > 0) {
        byte[] old = kept.toByteArray();
        kept.reset();
        kept.write(old, over, old.length - over);
      }
      kept.write(buffer, 0, n);
    }
  }

  /**
   * Waits up to {@code limit} for the end of the stream, which comes when every process holding its
   * pipe has exited; returns whether it came.
   */
  boolean await(Duration limit) throws InterruptedException {
    return done.await(limit.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** The bytes kept, as UTF-8 (a character cut in two at the bound becomes U+FFFD). */
  synchronized String text() {
    return kept.toString(StandardCharsets.UTF_8);
  }

  /** Whether bytes were cut, or the stream had not ended when last asked. */
  synchronized boolean cut() {
    return total > kept.size() || done.getCount() > 0;
  }
}
