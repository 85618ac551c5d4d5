package dev.crew.worker.stats;

import static java.util.Objects.requireNonNull;

import dev.crew.common.Lane;
import java.util.function.IntSupplier;

/**
 * One lane's size and how many of its slots are busy right now, read when stats or metrics are
 * taken.
 */
public record LaneLoad(Lane lane, int slots, IntSupplier busy) {
  public LaneLoad {
    requireNonNull(lane, "lane");
    requireNonNull(busy, "busy");
  }
}
