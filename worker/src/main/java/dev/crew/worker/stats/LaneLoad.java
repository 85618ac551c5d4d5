package dev.crew.worker.stats;

import static java.util.Objects.requireNonNull;

import dev.crew.common.Lane;
import java.util.function.IntSupplier;

/**
 * One lane's size (fixed, or the limit an adaptive lane has settled on so far) and how many of its
 * slots are busy right now, read when stats or metrics are taken.
 */
public record LaneLoad(Lane lane, IntSupplier slots, IntSupplier busy, boolean adaptive) {
  public LaneLoad {
    requireNonNull(lane, "lane");
    requireNonNull(slots, "slots");
    requireNonNull(busy, "busy");
  }

  /** A lane of {@code slots} that never change. */
  public LaneLoad(Lane lane, int slots, IntSupplier busy) {
    this(lane, () -> slots, busy, /* adaptive= */ false);
  }
}
