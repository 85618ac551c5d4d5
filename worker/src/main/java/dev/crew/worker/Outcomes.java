package dev.crew.worker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutionException;

/** Turns what an item threw into the one-line error recorded against it. */
final class Outcomes {
  private Outcomes() {}

  static String describe(Throwable thrown) {
    Throwable t = thrown;
    while ((t instanceof ExecutionException || t instanceof UncheckedIOException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    String message = t.getMessage();
    if (t instanceof StackOverflowError) {
      return "stack overflow";
    }
    if ((t instanceof IllegalArgumentException || t instanceof IOException) && message != null) {
      return message;
    }
    return message == null
        ? t.getClass().getSimpleName()
        : t.getClass().getSimpleName() + ": " + message;
  }

  /** A duration as people write it: 250 ms, 5 s, 1.5 s. */
  static String duration(java.time.Duration d) {
    long ms = d.toMillis();
    if (ms < 1_000) {
      return ms + " ms";
    }
    return ms % 1_000 == 0
        ? ms / 1_000 + " s"
        : String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
  }
}
