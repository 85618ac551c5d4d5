package dev.crew.common.ledger;

import java.util.List;

/**
 * What {@link TaskLedger#record} did with a batch of results.
 *
 * @param recorded results that were the first for their task
 * @param duplicates ids of the tasks whose result was already recorded (or consumed, or whose job
 *     is gone): this batch's result for them was dropped
 */
public record RecordOutcome(int recorded, List<String> duplicates) {
  public RecordOutcome {
    duplicates = List.copyOf(duplicates);
    if (recorded < 0) {
      throw new IllegalArgumentException("recorded must not be negative");
    }
  }

  static final RecordOutcome NONE = new RecordOutcome(0, List.of());

  RecordOutcome plus(RecordOutcome other) {
    if (other.recorded == 0 && other.duplicates.isEmpty()) {
      return this;
    }
    List<String> all = new java.util.ArrayList<>(duplicates);
    all.addAll(other.duplicates);
    return new RecordOutcome(recorded + other.recorded, all);
  }
}
