package dev.crew.client.job;

import dev.crew.common.Reducer;
import dev.crew.common.ReducerCatalog;
import dev.crew.common.TaskResult;
import java.util.Locale;

/**
 * Folds every successful result into one value with a {@link Reducer} ({@code --reduce NAME}): a
 * built-in one (sum, count, min, max, mean, histogram) or a plugin's.
 */
public final class Reduction implements ResultHandler {
  private final Reducer reducer;
  private final Reducer.Accumulator accumulator;
  private long leftOut;

  public Reduction(Reducer reducer) {
    this.reducer = reducer;
    this.accumulator = reducer.start();
  }

  /**
   * The reducer named {@code name} (any case) among those {@code loader} sees: the built-ins and
   * the plugins' ones.
   *
   * @throws IllegalArgumentException naming the known ones, if none is called so
   */
  public static Reducer find(String name, ClassLoader loader) {
    ReducerCatalog catalog = ReducerCatalog.load(loader);
    return catalog
        .find(name.trim().toLowerCase(Locale.ROOT))
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "bad --reduce '"
                        + name
                        + "' (known: "
                        + String.join(", ", catalog.all().stream().map(Reducer::name).toList())
                        + ")"));
  }

  @Override
  public void accept(TaskResult result) {
    String[] values = result.values();
    for (int i = 0; i < result.count(); i++) {
      if (result.failed(i)) {
        continue;
      }
      // A stored result that kept only its counts has no values: each counts as JSON null.
      String value = values == null || values[i] == null ? "null" : values[i];
      if (!accumulator.add(value)) {
        leftOut++;
      }
    }
  }

  /** The reduction as printed: JSON text, e.g. an exact number, or {@code null} for no numbers. */
  public String value() {
    return accumulator.result();
  }

  /** Successful results the reducer could not use (e.g. not numbers), and so left out. */
  public long leftOut() {
    return leftOut;
  }

  public String name() {
    return reducer.name();
  }
}
