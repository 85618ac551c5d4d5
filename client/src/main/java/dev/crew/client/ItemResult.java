package dev.crew.client;

import org.jspecify.annotations.Nullable;

/**
 * One item's outcome: its value, or the error it failed with.
 *
 * @param index the item's 0-based position in the job's input
 * @param item the item as the task received it (a range's items as their numbers)
 * @param json the task's result as JSON text (e.g. {@code 832040}, {@code "text"}, {@code
 *     {"status":200}}); null if the item failed
 * @param error why the item failed, in one line; null if it succeeded
 * @param worker the worker that ran it, {@code host:port}
 */
public record ItemResult(
    long index, String item, @Nullable String json, @Nullable String error, String worker) {

  /**
   * Whether the item succeeded.
   *
   * @return true if it has a value, false if it failed
   */
  public boolean ok() {
    return error == null;
  }
}
