package dev.crew.common;

import java.util.Locale;

/**
 * Where a task runs: {@code cpu} on one platform thread per core, {@code io} on bounded virtual
 * threads.
 */
public enum Lane {
  CPU,
  IO;

  /** The lane's name as users type it: {@code cpu} or {@code io}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code cpu} or {@code io}, in any case. */
  public static Lane parse(String text) {
    for (Lane lane : values()) {
      if (lane.id().equalsIgnoreCase(text.trim())) {
        return lane;
      }
    }
    throw new IllegalArgumentException("unknown lane '" + text + "' (expected cpu or io)");
  }
}
