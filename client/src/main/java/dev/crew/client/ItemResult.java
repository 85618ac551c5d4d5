package dev.crew.client;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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
 * @param stages for a pipeline, the item's value (JSON text) at every stage, the last one's
 *     included, each null where the item failed or did not get to; for a job of one stage, its
 *     value alone
 */
public record ItemResult(
    long index,
    String item,
    @Nullable String json,
    @Nullable String error,
    String worker,
    List<@Nullable String> stages) {

  /** Checks the stages' list (a copy; it may hold nulls). */
  public ItemResult {
    stages = Collections.unmodifiableList(new ArrayList<>(stages));
  }

  /**
   * The outcome of an item of a job of one stage.
   *
   * @param index the item's 0-based position in the job's input
   * @param item the item as the task received it
   * @param json the task's result as JSON text; null if the item failed
   * @param error why the item failed; null if it succeeded
   * @param worker the worker that ran it
   */
  public ItemResult(
      long index, String item, @Nullable String json, @Nullable String error, String worker) {
    this(index, item, json, error, worker, Collections.singletonList(json));
  }

  /**
   * Whether the item succeeded.
   *
   * @return true if it has a value, false if it failed
   */
  public boolean ok() {
    return error == null;
  }
}
