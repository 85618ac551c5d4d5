package dev.crew.worker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutionException;

/** Turns what an item threw into the one-line error recorded against it. */
final class Outcomes {
  private Outcomes() {}

  static String describe(Throwable thrown) {
    Throwable t = thrown;
    while ((t instanceof ExecutionException || t instanceof UncheckedIOException) && t.getCause() != null) {
      t = t.getCause();
    }
    String message = t.getMessage();
    if (t instanceof StackOverflowError) {
      return "stack overflow";
    }
    if ((t instanceof IllegalArgumentException || t instanceof IOException) && message != null) {
      return message;
    }
    return message == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + message;
  }
}
