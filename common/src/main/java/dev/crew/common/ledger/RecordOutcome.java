package dev.crew.common.ledger;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@link TaskLedger#record} did with a batch of results.
 *
 * @param recorded results that were the first for their task
 * @param duplicates ids of the tasks whose result was already recorded (or consumed): this batch's
 *     result for them was dropped
 * @param forgotten ids of the tasks whose job the ledger no longer holds (cancelled, or over): no
 *     one waits for their results, which were dropped
 */
public record RecordOutcome(int recorded, List<String> duplicates, List<String> forgotten) {
  public RecordOutcome {
    duplicates = List.copyOf(duplicates);
    forgotten = List.copyOf(forgotten);
    if (recorded < 0) {
      throw new IllegalArgumentException("recorded must not be negative");
    }
  }

  RecordOutcome(int recorded, List<String> duplicates) {
    this(recorded, duplicates, List.of());
  }

  static final RecordOutcome NONE = new RecordOutcome(0, List.of());

  RecordOutcome plus(RecordOutcome other) {
    if (other.recorded == 0 && other.duplicates.isEmpty() && other.forgotten.isEmpty()) {
      return this;
    }
    List<String> allDuplicates = new ArrayList<>(duplicates);
    allDuplicates.addAll(other.duplicates);
    List<String> allForgotten = new ArrayList<>(forgotten);
    allForgotten.addAll(other.forgotten);
    return new RecordOutcome(recorded + other.recorded, allDuplicates, allForgotten);
  }
}
