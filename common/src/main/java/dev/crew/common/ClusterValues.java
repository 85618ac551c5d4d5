package dev.crew.common;

import java.util.ArrayList;
import java.util.List;

/**
 * Values read from the cluster's maps and queues, which anyone who reaches the cluster can write
 * to. A reader that takes them as Crew's types fails on the first one of another type (a
 * ClassCastException where the typed value is used); read through {@link #ofType}, such values are
 * passed over.
 */
public final class ClusterValues {
  private ClusterValues() {}

  /** The values that are of {@code type}, in their order; the others are passed over. */
  public static <T> List<T> ofType(Class<T> type, Iterable<?> values) {
    List<T> kept = new ArrayList<>();
    for (Object value : values) {
      if (type.isInstance(value)) {
        kept.add(type.cast(value));
      }
    }
    return kept;
  }
}
